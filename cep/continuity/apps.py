from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "cep.continuity"
    label = "continuity"
    verbose_name = "CEP — continuité du service"
