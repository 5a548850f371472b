from django.apps import AppConfig


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = "Niveau 1 — accueil individualisé"

    def ready(self):
        from accueil.data_export import register_data_sections
        from accueil.demo import seed_accueil
        from accueil.facts import register_facts
        from accueil.services import on_consent_withdrawn
        from accueil.space import register_space
        from cep.demo import register_demo_seeder
        from cep.signals import consent_withdrawn

        register_demo_seeder(seed_accueil)
        register_space()
        register_data_sections()
        register_facts()
        consent_withdrawn.connect(on_consent_withdrawn, dispatch_uid="accueil_consent")
