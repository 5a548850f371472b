from django.apps import AppConfig


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = "Niveau 1 — accueil individualisé"

    def ready(self):
        from accueil.data_export import register_data_sections
        from accueil.facts import register_facts
        from accueil.search import register_search
        from accueil.services import on_transfer_status_changed
        from accueil.space import register_space
        from accueil.todo import register_todo_counts
        from cep.continuity.signals import transfer_status_changed

        register_space()
        register_data_sections()
        register_facts()
        register_todo_counts()
        register_search()
        # A withdrawn consent stops the transfer (cep.continuity); the orientation follows it.
        transfer_status_changed.connect(on_transfer_status_changed, dispatch_uid="accueil_routing")
