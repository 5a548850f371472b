from django.apps import AppConfig


class ClosureConfig(AppConfig):
    name = "cep.closure"
    label = "closure"
    verbose_name = "CEP — fin de parcours"
