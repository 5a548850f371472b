"""The lookup's trigram condition (`%`) at the rule's own threshold (0.6, NAME_SIMILARITY in
cep.duplicates.matching) instead of pg_trgm's default 0.3: the index then rejects the names that
are merely alike before the rows are read (on the operator of 99,000 files, a common name
matched 5,000 rows at 0.3; bench/duplicates.py). Set on the function, so it holds only inside
it and the caller's session keeps its own setting."""

from django.db import migrations

FUNCTION_SQL = """
SET LOCAL check_function_bodies = off;
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

PREVIOUS_SQL = """
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



def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("duplicates", "0002_candidates_function")]

    operations = [
        migrations.RunPython(postgresql_only(FUNCTION_SQL), postgresql_only(PREVIOUS_SQL)),
    ]
