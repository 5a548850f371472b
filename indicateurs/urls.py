from django.urls import path

from indicateurs import views

app_name = "indicateurs"

urlpatterns = [
    path("enquete/<str:token>/", views.SurveyView.as_view(), name="survey"),
]
