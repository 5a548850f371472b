from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    name = "indicateurs"
    verbose_name = "Indicateurs"

    def ready(self):
        from cep.signals import parcours_closed, parcours_reopened
        from indicateurs.facts import register_facts
        from indicateurs.services import on_parcours_closed, on_parcours_reopened

        register_facts()
        parcours_closed.connect(on_parcours_closed, dispatch_uid="indicateurs_surveys")
        parcours_reopened.connect(on_parcours_reopened, dispatch_uid="indicateurs_surveys")
