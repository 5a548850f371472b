from django.apps import AppConfig


class SpaceConfig(AppConfig):
    name = "cep.space"
    label = "space"
    verbose_name = "CEP — espace bénéficiaire"
