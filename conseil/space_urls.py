from django.urls import path

from conseil import space

app_name = "conseil_space"

urlpatterns = [
    path(
        "projet/<int:projectversion_pk>/accord/",
        space.AgreeProjectView.as_view(),
        name="agree_project",
    ),
    path(
        "projet/<int:projectversion_pk>/modifications/",
        space.AskProjectChangesView.as_view(),
        name="ask_project_changes",
    ),
]
