from django.apps import AppConfig


class ClosureConfig(AppConfig):
    name = "cep.closure"
    label = "closure"
    verbose_name = "CEP — fin de parcours"

    def ready(self):
        from cep.closure.space import ended_parcours, no_news_alerts
        from cep.file_page import ParcoursLink, register_parcours_link
        from cep.home import register_alert_provider
        from cep.registries import SpaceSection, register_space_section

        register_parcours_link(
            ParcoursLink(
                "Fin du parcours : terminer, rouvrir, historique",
                "parcours_end",
                lambda parcours: True,
                50,
            )
        )
        register_space_section(SpaceSection("fin", 1, "closure/space_end.html", ended_parcours))
        register_alert_provider(no_news_alerts)
