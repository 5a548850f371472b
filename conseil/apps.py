from django.apps import AppConfig


class ConseilConfig(AppConfig):
    name = "conseil"
    verbose_name = "Niveau 2 — conseil personnalisé"
