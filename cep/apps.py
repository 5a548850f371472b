from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate


def secure_tenant_tables(sender, using, **kwargs):
    """After every `migrate`: each tenant table gets its row-level security policy, and the
    application's role its rights on what the migrations created (cep.rls)."""
    from cep.rls import grant_app_role, install_policies

    connection = connections[using]
    if install_policies(connection) and settings.DATABASE_APP_ROLE:
        grant_app_role(connection, settings.DATABASE_APP_ROLE)


class CepConfig(AppConfig):
    name = "cep"
    verbose_name = "CEP — socle"

    def ready(self):
        from cep.core_facts import register_core_facts
        from cep.home import register_core_todo_counts
        from cep.person_data import register_core_sections

        register_core_sections()
        register_core_facts()
        register_core_todo_counts()
        post_migrate.connect(
            secure_tenant_tables, sender=self, dispatch_uid="cep_row_level_security"
        )
