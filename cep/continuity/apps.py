from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "cep.continuity"
    label = "continuity"
    verbose_name = "CEP — continuité du service"

    def ready(self):
        from cep.continuity.services import on_share_consent_withdrawn
        from cep.continuity.todo import register_todo_counts
        from cep.file_page import ParcoursLink, register_parcours_link
        from cep.signals import consent_withdrawn

        consent_withdrawn.connect(on_share_consent_withdrawn, dispatch_uid="cep_transfers")
        register_todo_counts()
        register_parcours_link(
            ParcoursLink(
                "Continuité : transfert, co-référents, dossier de liaison",
                "parcours_continuity",
                lambda parcours: True,
                40,
            )
        )
