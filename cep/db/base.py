"""PostgreSQL, with the active operators handed to the row-level security policies (cep.rls)."""

from django.db.backends.postgresql import base

from cep.rls import SETTING, scope_setting

UNKNOWN = object()
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_setting = UNKNOWN
        # Outermost, so it runs before any other wrapper sees the query.
        self.execute_wrappers.insert(0, self._set_operators_for_query)

    def _set_operators_for_query(self, execute, sql, params, many, context):
        if isinstance(sql, str) and sql.startswith(TRANSACTION_CONTROL):
            # Never before a rollback: the transaction may be failed and refuse any statement.
            result = execute(sql, params, many, context)
            if sql.startswith("ROLLBACK"):
                # A rolled-back savepoint takes back the settings made after it.
                self.rls_setting = UNKNOWN
            return result
        wanted = scope_setting()
        if wanted != self.rls_setting:
            # On a driver cursor of its own: a setting of the session, not a query of the page
            # (the query-count tests count what the code asks; this follows from its scope).
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, wanted])
            self.rls_setting = wanted
        return execute(sql, params, many, context)

    def get_new_connection(self, conn_params):
        self.rls_setting = UNKNOWN
        return super().get_new_connection(conn_params)

    def _rollback(self):
        self.rls_setting = UNKNOWN
        return super()._rollback()
