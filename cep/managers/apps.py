from django.apps import AppConfig


class ManagersConfig(AppConfig):
    name = "cep.managers"
    label = "managers"
    verbose_name = "CEP — pilotage des managers"
