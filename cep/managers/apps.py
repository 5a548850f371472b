from django.apps import AppConfig


class ManagersConfig(AppConfig):
    name = "cep.managers"
    label = "managers"
    verbose_name = "CEP — pilotage des managers"

    def ready(self):
        from cep.managers.team import register_core_figures

        register_core_figures()
