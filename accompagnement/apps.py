from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = "Niveau 3 — accompagnement à la mise en œuvre"

    def ready(self):
        from accompagnement.data_export import register_data_sections
        from accompagnement.selectors import alerts
        from accompagnement.services import on_level_entered
        from accompagnement.space import register_space
        from accompagnement.team import register_team_figures
        from cep.file_page import ParcoursLink, register_level_page, register_parcours_link
        from cep.home import register_alert_provider
        from cep.signals import parcours_level_entered

        parcours_level_entered.connect(on_level_entered, dispatch_uid="accompagnement_plan")
        register_alert_provider(alerts)
        register_space()
        register_data_sections()
        register_team_figures()
        register_parcours_link(
            ParcoursLink("Plan d'action", "accompagnement:plan", lambda p: p.current_level == 3, 10)
        )
        register_level_page(3, "accompagnement:plan")
