"""Trigram (pg_trgm) GIN indexes on the ROME search labels, so `LIKE '%…%'` searches use an index.

PostgreSQL only: the demo runs on SQLite, where these operations do nothing. The indexes are not
declared on the models (a GinIndex would break SQLite), hence SQL here.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "cep_romeappellation_search_trgm": "cep_romeappellation",
    "cep_romeskill_search_trgm": "cep_romeskill",
    "cep_romejob_search_trgm": "cep_romejob",
}


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that is skipped on any other database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("cep", "0002_rome_referential"),
    ]

    operations = [
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        # Not dropped on the way back: other objects may use it.
        RunSQLOnPostgreSQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        *(
            RunSQLOnPostgreSQL(
                sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                'USING gin ("search_label" gin_trgm_ops)',
                reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
            )
            for name, table in TRIGRAM_INDEXES.items()
        ),
    ]
