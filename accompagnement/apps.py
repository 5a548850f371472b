from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = "Niveau 3 — accompagnement à la mise en œuvre"
