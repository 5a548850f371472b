from django.apps import AppConfig


class SyntheseConfig(AppConfig):
    name = "synthese"
    verbose_name = "Document de synthèse"

    def ready(self):
        from cep.demo import register_demo_seeder
        from synthese.data_export import register_data_sections
        from synthese.demo import seed_synthese
        from synthese.facts import register_facts
        from synthese.space import register_space
        from synthese.team import register_team_figures

        register_demo_seeder(seed_synthese)
        register_space()
        register_data_sections()
        register_team_figures()
        register_facts()
