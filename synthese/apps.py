from django.apps import AppConfig


class SyntheseConfig(AppConfig):
    name = "synthese"
    verbose_name = "Document de synthèse"

    def ready(self):
        from cep.demo import register_demo_seeder
        from synthese.demo import seed_synthese

        register_demo_seeder(seed_synthese)
