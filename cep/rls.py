"""The second wall of tenancy: PostgreSQL row-level security on every tenant table.

The first wall is django-scopes: a tenant model's manager refuses to query outside a scope. This
one holds in the database itself, for what does not go through a scoped manager (raw SQL, the
indicators' SQL, a base manager, a join): each tenant table has a policy that shows and accepts
only the rows of the operators the session names in the `cep.operators` setting.

- The setting follows the django-scopes scope of the code that runs the query: one operator, a
  list of operators (a coordinator), `*` inside `scopes_disabled()` (the admin and the platform
  jobs, which are deliberate and reviewed), and nothing at all outside any scope: then a query
  that meets a row of a tenant table fails, as a scoped manager does, and a write is refused.
- `cep.db` sets it on the connection before a query when it differs from what the connection
  holds: one `set_config` per request, not per query. A rollback may bring an earlier value back,
  so the connection forgets what it holds on every rollback and sets it again.
- The application connects as a role that owns no table and is not a superuser (see
  `grant_app_role`): the table owner and superusers are not subject to the policies, which is
  what the migrations need.
"""

from django.apps import apps
from django.db import models
from django_scopes.state import get_scope

SETTING = "cep.operators"
EVERY_OPERATOR = "*"
NO_OPERATOR = "aucun"
POLICY = "cep_operator_rows"

# Evaluated once per query as init plans (the scalar sub-selects), not once per row.
FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION cep_rls_every_operator() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('cep.operators', true), '') = '*'
$$;
-- Like a scoped manager, the database refuses to answer outside any scope: a job that forgot
-- its scope fails loudly instead of reading (and storing) nothing.
CREATE OR REPLACE FUNCTION cep_rls_operators() RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    operators text := coalesce(current_setting('cep.operators', true), '');
BEGIN
    IF operators = '' THEN
        RAISE EXCEPTION 'table d''opérateur interrogée hors de tout périmètre (cep.operators)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF operators IN ('*', 'aucun') THEN
        RETURN '{}';
    END IF;
    RETURN string_to_array(operators, ',')::bigint[];
END $$;
"""


def scope_setting() -> str:
    """What `cep.operators` must hold for the scope the current code runs in."""
    current = get_scope()
    if not current.get("_enabled", True):
        return EVERY_OPERATOR
    operator = current.get("operator")
    if operator is None:
        return ""
    if isinstance(operator, (list, tuple, set, frozenset)):
        # A coordinator of a region without operators: a scope, which holds no row.
        return ",".join(str(int(getattr(pk, "pk", pk))) for pk in operator) or NO_OPERATOR
    return str(int(getattr(operator, "pk", operator)))


def is_tenant_model(model: type[models.Model]) -> bool:
    """A model whose default manager is scoped by operator (cep.models' convention)."""
    manager = model._default_manager
    return hasattr(manager, "with_scope") and any(
        field.name == "operator" for field in model._meta.concrete_fields
    )


def operator_columns(model: type[models.Model]) -> list[str]:
    """The columns naming an operator that may read the row: its own, and for a few models
    another one on purpose (a transfer is read by the operator it is sent to)."""
    names = ["operator", *getattr(model, "rls_also_readable_by", ())]
    return [model._meta.get_field(name).column for name in names]


def tenant_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed and is_tenant_model(model)
    ]


def policy_sql(model: type[models.Model]) -> str:
    table = model._meta.db_table
    visible = " OR ".join(
        f'"{column}" = ANY ((SELECT cep_rls_operators())::bigint[])'
        for column in operator_columns(model)
    )
    condition = f"(SELECT cep_rls_every_operator()) OR {visible}"
    return (
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;\n'
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}";\n'
        f'CREATE POLICY {POLICY} ON "{table}" USING ({condition}) WITH CHECK ({condition});\n'
    )


def install_policies(connection) -> int:
    """Idempotent: run after every `migrate`, so a new tenant model gets its policy too."""
    if connection.vendor != "postgresql":
        return 0
    models_ = tenant_models()
    with connection.cursor() as cursor:
        # A migrate to an earlier migration has not created the tables of the later ones yet.
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
            [[model._meta.db_table for model in models_]],
        )
        existing = {row[0] for row in cursor.fetchall()}
        models_ = [model for model in models_ if model._meta.db_table in existing]
        # `flush` sends post_migrate too, as whatever role runs it: only the owner of the
        # tables (who ran the migrations) may and needs to write policies.
        cursor.execute(
            "SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r'",
            [[model._meta.db_table for model in models_]],
        )
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(FUNCTIONS_SQL + "".join(policy_sql(model) for model in models_))
    return len(models_)


# The trail of who saw what: the application appends to it and reads it, never more; the purge
# goes through `cep_audit_purge`, which runs with its owner's rights.
APPEND_ONLY_TABLES = ("cep_auditevent",)


def grant_app_role(connection, role: str, *, allow_truncate: bool = False) -> None:
    """Give the application's role what it needs on every table, sequence and function of the
    schema, and nothing it owns. `allow_truncate` is for the test suite, whose transactional
    tests empty the tables between tests."""
    quoted = connection.ops.quote_name(role)
    table_rights = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if allow_truncate else "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            GRANT USAGE ON SCHEMA public TO {quoted};
            GRANT {table_rights} ON ALL TABLES IN SCHEMA public TO {quoted};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted};
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {quoted};
            """
        )
        for table in APPEND_ONLY_TABLES:
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is not None:  # not before the first migrate
                cursor.execute(f'REVOKE UPDATE, DELETE ON "{table}" FROM {quoted}')
