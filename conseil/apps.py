from django.apps import AppConfig


class ConseilConfig(AppConfig):
    name = "conseil"
    verbose_name = "Niveau 2 — conseil personnalisé"

    def ready(self):
        from cep.demo import register_demo_seeder
        from conseil.data_export import register_data_sections
        from conseil.demo import seed_conseil
        from conseil.facts import register_facts
        from conseil.space import register_space

        register_demo_seeder(seed_conseil)
        register_space()
        register_data_sections()
        register_facts()
