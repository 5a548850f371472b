"""The duplicate check's lookup, as a function that runs with its owner's rights.

Why a function: under row-level security (cep.rls) PostgreSQL evaluates the policy before any
condition whose operator is not LEAKPROOF, and pg_trgm's `%` is not (declaring it so needs a
superuser, which neither the migrations' role nor the application's is: deploy/, scripts/lib.sh).
So, as the application's role, a trigram condition can never be an index condition and the check
would read every row of the operator. This function runs as the tables' owner, to whom no policy
applies, and applies the policy's own rule itself: it answers only for an operator of the
session's scope (`cep.operators`), and raises outside any scope as the policy does. It returns
ids only; the caller reads the rows through the ORM, under the policy again.

The three branches of the rule (cep.duplicates.matching): a similar name (trigram similarity at
least `min_similarity`, on `search_name`, the name without accents or case) with the same birth
date; the same e-mail (case-insensitive); the same phone in E.164. Tombstones and anonymised files
are never candidates. PostgreSQL only: on the SQLite demo the check runs in Python.
"""

from django.db import migrations

# The policy's functions (cep.rls) are written after every migrate, so not yet on a first one:
# the body is checked when it first runs, not now.
FUNCTION_SQL = """
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION cep_duplicate_candidates(
    wanted_operator bigint, wanted_name text, wanted_birth date, wanted_email text,
    wanted_phone text, min_similarity real, max_rows integer
) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT found.id FROM (
        SELECT id FROM cep_beneficiary
        WHERE operator_id = $1 AND search_name % $2 AND similarity(search_name, $2) >= $6
            AND birth_date = $3 AND merged_into_id IS NULL AND anonymised_at IS NULL
        UNION
        SELECT id FROM cep_beneficiary
        WHERE operator_id = $1 AND email <> '' AND lower(email) = $4 AND $4 <> ''
            AND merged_into_id IS NULL AND anonymised_at IS NULL
        UNION
        SELECT id FROM cep_beneficiary
        WHERE operator_id = $1 AND phone_e164 <> '' AND phone_e164 = $5 AND $5 <> ''
            AND merged_into_id IS NULL AND anonymised_at IS NULL
    ) found
    WHERE (SELECT cep_rls_every_operator()) OR $1 = ANY ((SELECT cep_rls_operators())::bigint[])
    ORDER BY found.id
    LIMIT $7
$$;
SET LOCAL check_function_bodies = on;
"""

REVERSE_SQL = (
    "DROP FUNCTION IF EXISTS cep_duplicate_candidates(bigint, text, date, text, text, real, integer);"
)


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("duplicates", "0001_initial"),
        ("cep", "0016_duplicates_keys_and_merge"),
    ]

    operations = [
        migrations.RunPython(postgresql_only(FUNCTION_SQL), postgresql_only(REVERSE_SQL)),
    ]
