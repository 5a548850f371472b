from django.urls import path

from accompagnement import space

app_name = "accompagnement_space"

urlpatterns = [
    path("plan/<int:planversion_pk>/accord/", space.AgreePlanView.as_view(), name="agree_plan"),
    path(
        "plan/<int:planversion_pk>/modifications/",
        space.AskPlanChangesView.as_view(),
        name="ask_plan_changes",
    ),
]
