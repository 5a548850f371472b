from django.urls import path

from cep.referentials import views

urlpatterns = [
    path("referentiels/rome/metiers/", views.RomeJobOptionsView.as_view(), name="rome_job_options"),
]
