from django.apps import AppConfig


class CepConfig(AppConfig):
    name = "cep"
    verbose_name = "CEP — socle"
