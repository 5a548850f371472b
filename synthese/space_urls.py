from django.urls import path

from synthese import space

app_name = "synthese_space"

urlpatterns = [
    path(
        "documents/<int:synthesisdocument_pk>/",
        space.MyDocumentView.as_view(),
        name="document",
    ),
]
