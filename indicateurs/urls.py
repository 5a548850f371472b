from django.urls import path

from indicateurs import views

app_name = "indicateurs"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("enquete/<str:token>/", views.SurveyView.as_view(), name="survey"),
]
