from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Fictional data for the demo and the bench: it may import every app, and nothing in the
    product imports it (import contract in pyproject.toml)."""

    name = "devdata"
    verbose_name = "Données fictives (démo, volumétrie)"
