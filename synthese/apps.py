from django.apps import AppConfig


class SyntheseConfig(AppConfig):
    name = "synthese"
    verbose_name = "Document de synthèse"

    def ready(self):
        from cep.file_page import ParcoursLink, register_parcours_link
        from synthese.data_export import register_data_sections
        from synthese.facts import register_facts
        from synthese.space import register_space
        from synthese.team import register_team_figures

        register_space()
        register_data_sections()
        register_team_figures()
        register_facts()
        register_parcours_link(
            ParcoursLink(
                "Document de synthèse", "synthese:list", lambda p: p.current_level >= 2, 30
            )
        )
