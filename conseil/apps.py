from django.apps import AppConfig


class ConseilConfig(AppConfig):
    name = "conseil"
    verbose_name = "Niveau 2 — conseil personnalisé"

    def ready(self):
        from cep.file_page import ParcoursLink, register_level_page, register_parcours_link
        from conseil.data_export import register_data_sections
        from conseil.facts import register_facts
        from conseil.space import register_space

        register_space()
        register_data_sections()
        register_facts()
        register_parcours_link(
            ParcoursLink(
                "Espace de travail du parcours "
                "(entretiens, compétences, métiers, projet, stratégie)",
                "conseil:interviews",
                lambda p: p.current_level >= 2,
                20,
            )
        )
        # Entering level 2 lands on the demand: clarifying it is the first step of the level.
        register_level_page(2, "conseil:demand")
