from django.urls import path

from cep.continuity import views

urlpatterns = [
    path(
        "parcours/<int:parcours_pk>/continuite/",
        views.ContinuityView.as_view(),
        name="parcours_continuity",
    ),
    path("transferts/", views.IncomingTransfersView.as_view(), name="transfers_incoming"),
    path(
        "transferts/<int:transfer_pk>/",
        views.IncomingTransferView.as_view(),
        name="transfer_incoming",
    ),
]
