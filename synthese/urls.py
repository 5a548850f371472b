from django.urls import path

from synthese import views

app_name = "synthese"

P = "parcours/<int:parcours_pk>/"
D = f"{P}<int:synthesisdocument_pk>/"

urlpatterns = [
    path(P, views.SynthesisListView.as_view(), name="list"),
    path(f"{D}statut/", views.SynthesisStatusView.as_view(), name="status"),
    path(f"{D}telecharger/", views.SynthesisDownloadView.as_view(), name="download"),
    path(f"{D}relancer/", views.SynthesisRetryView.as_view(), name="retry"),
    path(f"{D}courriel/", views.SynthesisEmailView.as_view(), name="email"),
    path("lien/<str:token>/", views.SignedDownloadView.as_view(), name="signed_download"),
]
