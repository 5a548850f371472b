from django.apps import AppConfig


class ConseilConfig(AppConfig):
    name = "conseil"
    verbose_name = "Niveau 2 — conseil personnalisé"

    def ready(self):
        from cep.demo import register_demo_seeder
        from conseil.demo import seed_conseil

        register_demo_seeder(seed_conseil)
