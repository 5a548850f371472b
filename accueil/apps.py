from django.apps import AppConfig


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = "Niveau 1 — accueil individualisé"
