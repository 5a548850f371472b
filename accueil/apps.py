from django.apps import AppConfig


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = "Niveau 1 — accueil individualisé"

    def ready(self):
        from accueil.data_export import register_data_sections
        from accueil.facts import register_facts
        from accueil.services import on_consent_withdrawn
        from accueil.space import register_space
        from cep.signals import consent_withdrawn

        register_space()
        register_data_sections()
        register_facts()
        consent_withdrawn.connect(on_consent_withdrawn, dispatch_uid="accueil_consent")
