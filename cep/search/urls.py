from django.urls import path

from cep.search import views

urlpatterns = [
    path("recherche/", views.SearchView.as_view(), name="search"),
]
