from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "cep.duplicates"
    label = "duplicates"
    verbose_name = "CEP — doublons et fusion des dossiers"
