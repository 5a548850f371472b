"""The lookup's fourth branch: the same France Travail identifier (non-empty) within the
operator, whatever the names (cep.duplicates.matching; the column and its partial index are in
cep/migrations/0018). A new argument, last so the others keep their places: the function of
0003 is dropped and the new one created (CREATE OR REPLACE cannot add an argument), in the same
transaction, so no caller ever finds neither."""

from django.db import migrations

PREVIOUS_SIGNATURE = "cep_duplicate_candidates(bigint, text, date, text, text, real, integer)"
SIGNATURE = "cep_duplicate_candidates(bigint, text, date, text, text, real, integer, text)"

FUNCTION_SQL = f"""
SET LOCAL check_function_bodies = off;
DROP FUNCTION IF EXISTS {PREVIOUS_SIGNATURE};
CREATE OR REPLACE FUNCTION cep_duplicate_candidates(
    wanted_operator bigint, wanted_name text, wanted_birth date, wanted_email text,
    wanted_phone text, min_similarity real, max_rows integer, wanted_france_travail_id text
) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    SET pg_trgm.similarity_threshold = 0.6 AS $$
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
        UNION
        SELECT id FROM cep_beneficiary
        WHERE operator_id = $1 AND france_travail_id <> '' AND france_travail_id = $8
            AND $8 <> '' AND merged_into_id IS NULL AND anonymised_at IS NULL
    ) found
    WHERE (SELECT cep_rls_every_operator()) OR $1 = ANY ((SELECT cep_rls_operators())::bigint[])
    ORDER BY found.id
    LIMIT $7
$$;
SET LOCAL check_function_bodies = on;
"""

PREVIOUS_SQL = f"""
SET LOCAL check_function_bodies = off;
DROP FUNCTION IF EXISTS {SIGNATURE};
CREATE OR REPLACE FUNCTION cep_duplicate_candidates(
    wanted_operator bigint, wanted_name text, wanted_birth date, wanted_email text,
    wanted_phone text, min_similarity real, max_rows integer
) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    SET pg_trgm.similarity_threshold = 0.6 AS $$
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


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("duplicates", "0003_candidates_function_threshold"),
        ("cep", "0018_beneficiary_france_travail_id"),
    ]

    operations = [
        migrations.RunPython(postgresql_only(FUNCTION_SQL), postgresql_only(PREVIOUS_SQL)),
    ]
