from django.apps import AppConfig


class ReferentialsConfig(AppConfig):
    name = "cep.referentials"
    label = "referentials"
    verbose_name = "CEP — référentiels (ROME)"
