from django.urls import path

from cep.space import views as space_views

app_name = "space"

urlpatterns = [
    path("", space_views.SpaceHomeView.as_view(), name="home"),
    path(
        "invitation/<str:token>/",
        space_views.AcceptInvitationView.as_view(),
        name="accept_invitation",
    ),
    path("consentements/", space_views.ConsentsView.as_view(), name="consents"),
    path("mes-donnees/", space_views.DataView.as_view(), name="data"),
    path("acces/", space_views.SpaceAccessLogView.as_view(), name="access_log"),
    path(
        "transferts/<int:transfer_pk>/",
        space_views.TransferAnswerView.as_view(),
        name="transfer_answer",
    ),
    path("mes-donnees/archive/", space_views.DataArchiveView.as_view(), name="data_archive"),
]
