"""Create (or update) the role the application connects as, and grant it its rights.

Run by the owner of the tables, before `migrate` (which grants the role its rights on what it
creates, through `DATABASE_APP_ROLE`). The role owns nothing and is no superuser, so PostgreSQL's
row-level security applies to it (cep.rls).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from cep.rls import grant_app_role


class Command(BaseCommand):
    help = "Crée le rôle PostgreSQL de l'application (DATABASE_APP_ROLE) et lui donne ses droits."

    def handle(self, *args, **options):
        role = settings.DATABASE_APP_ROLE
        password = os.environ.get("DATABASE_APP_PASSWORD", "")
        if connection.vendor != "postgresql":
            raise CommandError("Le rôle de l'application est un rôle PostgreSQL.")
        if not role or not password:
            raise CommandError("Indiquez DATABASE_APP_ROLE et DATABASE_APP_PASSWORD.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            statement = sql.SQL(
                "{} ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            ).format(sql.SQL(verb), sql.Identifier(role), sql.Literal(password))
            cursor.execute(statement.as_string(cursor.connection))
        grant_app_role(connection, role)
        self.stdout.write(f"Rôle {role} prêt ({'créé' if verb == 'CREATE' else 'mis à jour'}).")
