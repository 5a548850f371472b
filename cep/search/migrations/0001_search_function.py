"""The header search's lookup of beneficiaries, as a function that runs with its owner's rights,
for the reason given in cep/duplicates/migrations/0002: under row-level security a trigram
condition (`<%`, not LEAKPROOF) can never use the index `beneficiary_name_trgm`. The function
applies the policy's rule itself (an operator of the session's scope, raising outside any scope)
and returns ids with a rank; the caller reads the rows through the ORM, under the policy again.

Five branches, each an index lookup within the operator: the file number, the e-mail
(case-insensitive), the phone in E.164, the France Travail identifier, and the name without
accents or case whose words resemble the query (pg_trgm word similarity at least 0.5, so
"dupnt" finds "Dupont"), the closest first: read in the order of the GiST index of 0002 (nearest
neighbours), so a common name does not rank every file that shares its trigrams. Tombstones of merged files and anonymised files are never found.
PostgreSQL only: on the SQLite demo the search runs with a plain substring filter.
"""

from django.db import migrations

SIGNATURE = "cep_search_beneficiaries(bigint, text, text, text, text, bigint, integer)"

FUNCTION_SQL = """
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION cep_search_beneficiaries(
    wanted_operator bigint, wanted_name text, wanted_email text, wanted_phone text,
    wanted_france_travail_id text, wanted_id bigint, max_rows integer
) RETURNS TABLE (id bigint, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    SELECT found.id, max(found.rank)::real FROM (
        SELECT b.id, 2.0::real AS rank FROM cep_beneficiary b
        WHERE b.operator_id = $1 AND b.id = $6
            AND b.merged_into_id IS NULL AND b.anonymised_at IS NULL
        UNION ALL
        SELECT b.id, 2.0::real FROM cep_beneficiary b
        WHERE b.operator_id = $1 AND b.email <> '' AND lower(b.email) = $3 AND $3 <> ''
            AND b.merged_into_id IS NULL AND b.anonymised_at IS NULL
        UNION ALL
        SELECT b.id, 2.0::real FROM cep_beneficiary b
        WHERE b.operator_id = $1 AND b.phone_e164 <> '' AND b.phone_e164 = $4 AND $4 <> ''
            AND b.merged_into_id IS NULL AND b.anonymised_at IS NULL
        UNION ALL
        SELECT b.id, 2.0::real FROM cep_beneficiary b
        WHERE b.operator_id = $1 AND b.france_travail_id <> '' AND b.france_travail_id = $5
            AND $5 <> '' AND b.merged_into_id IS NULL AND b.anonymised_at IS NULL
        UNION ALL
        (SELECT b.id, (1 - (b.search_name <->> $2))::real
        FROM cep_beneficiary b
        WHERE $2 <> '' AND $2 <% b.search_name AND b.operator_id = $1
            AND b.merged_into_id IS NULL AND b.anonymised_at IS NULL
        ORDER BY b.search_name <->> $2
        LIMIT $7)
    ) found
    WHERE (SELECT cep_rls_every_operator()) OR $1 = ANY ((SELECT cep_rls_operators())::bigint[])
    GROUP BY found.id
    ORDER BY max(found.rank) DESC, found.id
    LIMIT $7
$$;
SET LOCAL check_function_bodies = on;
"""

DROP_SQL = f"DROP FUNCTION IF EXISTS {SIGNATURE};"


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cep", "0018_beneficiary_france_travail_id"),
    ]

    operations = [
        migrations.RunPython(postgresql_only(FUNCTION_SQL), postgresql_only(DROP_SQL)),
    ]
