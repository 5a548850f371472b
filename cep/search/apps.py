from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "cep.search"
    label = "search"
    verbose_name = "CEP — recherche dans l'en-tête"
