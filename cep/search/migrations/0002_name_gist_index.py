"""The names of one operator in word-similarity order: a GiST trigram index on (operator,
search_name), so the search reads the 10 closest names of its operator (a nearest-neighbour
scan, `ORDER BY search_name <->> query LIMIT 10`) instead of every file sharing a trigram with
the query. The GIN index of cep/migrations/0016 cannot give an order: a common name ("martin",
thousands of files at 100,000) cost 180 ms with it, 2 ms with this one (README, Performance).
btree_gist lets the operator's column join the trigram one; it is a trusted extension, so the
database's owner may create it. PostgreSQL only: the SQLite demo has no trigram."""

from django.db import migrations

INDEX_SQL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX IF NOT EXISTS "beneficiary_name_trgm_gist" ON "cep_beneficiary"
    USING gist ("operator_id", "search_name" gist_trgm_ops);
"""

DROP_SQL = 'DROP INDEX IF EXISTS "beneficiary_name_trgm_gist";'


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_function"),
    ]

    operations = [
        migrations.RunPython(postgresql_only(INDEX_SQL), postgresql_only(DROP_SQL)),
    ]
