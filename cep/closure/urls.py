from django.urls import path

from cep.closure import views

urlpatterns = [
    path("parcours/<int:parcours_pk>/fin/", views.ParcoursEndView.as_view(), name="parcours_end"),
    path("structure/motifs-de-fin/", views.SubReasonsView.as_view(), name="closure_sub_reasons"),
]
