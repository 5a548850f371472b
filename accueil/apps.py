from django.apps import AppConfig


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = "Niveau 1 — accueil individualisé"

    def ready(self):
        from accueil.demo import seed_accueil
        from cep.demo import register_demo_seeder

        register_demo_seeder(seed_accueil)
