from django.db import migrations

# The application's role may append to the trail and read it, never delete from it (cep.rls):
# the retention purge goes through this function, which runs with its owner's rights.
PURGE_SQL = """
CREATE OR REPLACE FUNCTION cep_audit_purge(purged_operator bigint, up_to bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    deleted bigint;
BEGIN
    -- Only within the operator's own scope, like any write of the application (cep.rls).
    IF NOT (cep_rls_every_operator() OR purged_operator = ANY (cep_rls_operators())) THEN
        RAISE EXCEPTION 'purge du journal hors du périmètre de l''opérateur %', purged_operator
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('cep.audit_purge', 'on', true);
    DELETE FROM cep_auditevent WHERE operator_id = purged_operator AND chain_index <= up_to;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('cep.audit_purge', 'off', true);
    RETURN deleted;
END $$;
"""

REVERSE_SQL = "DROP FUNCTION IF EXISTS cep_audit_purge(bigint, bigint);"


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cep", "0010_operator_counsellors_use_2fa")]

    operations = [
        migrations.RunPython(postgresql_only(PURGE_SQL), postgresql_only(REVERSE_SQL)),
    ]
