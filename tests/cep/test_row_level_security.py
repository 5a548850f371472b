"""The second wall: PostgreSQL's row-level security keeps each operator's rows even from SQL that
does not go through a scoped manager. The suite connects as a role that owns no table and is
no superuser (tests/conftest.py), so the policies apply here as in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from cep import services
from cep.continuity.models import Transfer
from cep.models import Beneficiary
from tests.cep.test_scope_guard import tenant_models
from tests.factories import (
    AuditEventFactory,
    BeneficiaryFactory,
    OperatorFactory,
    TransferFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.scoped]


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def two_operators():
    with scopes_disabled():
        mine, theirs = OperatorFactory(), OperatorFactory()
        me = BeneficiaryFactory(operator=mine, last_name="Mienne")
        them = BeneficiaryFactory(operator=theirs, last_name="Autre")
    return mine, theirs, me, them


def test_the_suite_runs_as_a_role_that_is_neither_owner_nor_superuser():
    [(user, is_superuser, bypasses)] = rows(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    assert user == "cep_app_test"
    assert not is_superuser and not bypasses
    owned = rows(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
        "AND pg_has_role(current_user, relowner, 'USAGE')"
    )
    assert owned == []


def test_every_tenant_table_has_its_policy():
    tables = {model._meta.db_table for model in tenant_models()}
    # Written out, so that a broken discovery cannot pass with an empty list.
    assert {
        "cep_beneficiary",
        "cep_parcours",
        "cep_service",
        "cep_consent",
        "cep_auditevent",
        "cep_transfer",
        "accueil_intakerequest",
        "synthese_synthesisdocument",
    } <= tables
    protected = dict(
        rows(
            "SELECT c.relname, c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p "
            "WHERE p.polrelid = c.oid AND p.polname = 'cep_operator_rows') "
            "FROM pg_class c WHERE c.relname = ANY(%s)",
            [sorted(tables)],
        )
    )
    assert sorted(table for table in tables if not protected.get(table)) == []


def test_a_raw_query_for_another_operators_row_finds_nothing(two_operators):
    mine, _, me, them = two_operators
    with scope(operator=mine.pk):
        assert rows("SELECT last_name FROM cep_beneficiary WHERE id = %s", [them.pk]) == []
        assert rows("SELECT last_name FROM cep_beneficiary WHERE id = %s", [me.pk]) == [("Mienne",)]
        # A forgotten WHERE on the operator reads only the operator's own rows.
        assert rows("SELECT last_name FROM cep_beneficiary ORDER BY id") == [("Mienne",)]
        # So does a manager that skips the scope.
        assert not Beneficiary._base_manager.filter(pk=them.pk).exists()


def test_a_raw_write_cannot_reach_another_operator(two_operators):
    mine, theirs, me, them = two_operators
    with scope(operator=mine.pk):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cep_beneficiary SET last_name = 'Effacé'")
            assert cursor.rowcount == 1
            cursor.execute("DELETE FROM cep_beneficiary WHERE id = %s", [them.pk])
            assert cursor.rowcount == 0
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE cep_beneficiary SET operator_id = %s WHERE id = %s", [theirs.pk, me.pk]
            )
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
        ):
            BeneficiaryFactory(operator=theirs)
    with scopes_disabled():
        assert Beneficiary.objects.get(pk=them.pk).last_name == "Autre"
        assert Beneficiary.objects.get(pk=me.pk).operator_id == mine.pk


def test_outside_any_scope_a_tenant_table_refuses_to_answer(two_operators):
    """As a scoped manager raises outside a scope, so does the database: a job that forgot its
    scope fails instead of reading (and storing) nothing."""
    with (
        pytest.raises(DatabaseError, match="hors de tout périmètre"),
        transaction.atomic(),
    ):
        rows("SELECT id FROM cep_beneficiary")
    with (
        pytest.raises(DatabaseError, match="hors de tout périmètre"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO cep_auditevent (operator_id, action, object_type, object_id, at, "
            "details, previous_hash, hash) VALUES (%s, 'read', 'x', '1', now(), '{}', '', '')",
            [two_operators[0].pk],
        )
    # A scope without any operator (a coordinator of a region without one) reads nothing.
    with scope(operator=[]):
        assert rows("SELECT id FROM cep_beneficiary") == []


def test_a_coordinators_scope_reads_its_operators_only(two_operators):
    mine = two_operators[0]
    with scopes_disabled():
        third = OperatorFactory()
        other = BeneficiaryFactory(operator=third, last_name="Tierce")
    with scope(operator=[mine.pk, third.pk]):
        assert rows("SELECT last_name FROM cep_beneficiary ORDER BY id") == [
            ("Mienne",),
            ("Tierce",),
        ]
    with scopes_disabled():  # the platform's deliberate reads span every operator
        names = {name for (name,) in rows("SELECT last_name FROM cep_beneficiary")}
        assert {"Mienne", "Autre", "Tierce"} <= names
    assert other.operator_id == third.pk


def test_a_transfer_is_read_by_the_operator_it_is_sent_to_and_nobody_else():
    with scopes_disabled():
        transfer = TransferFactory()
        bystander = OperatorFactory()
    query = "SELECT id FROM cep_transfer WHERE id = %s"
    with scope(operator=transfer.target_operator_id):
        assert rows(query, [transfer.pk]) == [(transfer.pk,)]
        # ...but not the sending operator's file behind it.
        assert rows("SELECT id FROM cep_beneficiary WHERE id = %s", [transfer.beneficiary_id]) == []
    with scope(operator=bystander.pk):
        assert rows(query, [transfer.pk]) == []
        assert not Transfer.for_target.filter(pk=transfer.pk).exists()


def test_a_rolled_back_savepoint_leaves_the_right_operators_set(two_operators):
    """PostgreSQL takes back a setting made inside a rolled-back savepoint: the connection must
    not believe it still holds it."""
    mine, theirs, me, them = two_operators
    query = "SELECT id FROM cep_beneficiary WHERE id = %s"
    with scope(operator=mine.pk):
        assert rows(query, [me.pk]) == [(me.pk,)]
        with scope(operator=theirs.pk):
            try:
                with transaction.atomic():
                    assert rows(query, [them.pk]) == [(them.pk,)]
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            # The database is back to the outer setting; the next query sets it again.
            assert rows(query, [them.pk]) == [(them.pk,)]
        assert rows(query, [me.pk]) == [(me.pk,)]


def test_the_audit_purge_function_refuses_another_operators_trail(two_operators):
    mine, theirs, _, _ = two_operators
    with scopes_disabled():
        AuditEventFactory(operator=theirs)
    with (
        scope(operator=mine.pk),
        pytest.raises(DatabaseError, match="hors du périmètre"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT cep_audit_purge(%s, 1000)", [theirs.pk])
    with scopes_disabled():
        assert services.AuditEvent.objects.filter(operator=theirs).count() == 1


def test_setup_app_role_makes_a_role_under_the_policies(owner_cursor, settings):
    """What `make run` and the compose stack do: the owner creates the application's role,
    which can then read and write the tables, under the policies, and never delete from the
    audit trail."""
    s = connection.settings_dict
    owner = settings.DATABASE_OWNER
    role = "cep_app_setup_check"
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{owner['USER']}:{owner['PASSWORD'] or ''}@{s['HOST']}:"
            f"{s['PORT'] or 5432}/{s['NAME']}"
        ),
        "DATABASE_APP_ROLE": role,
        "DATABASE_APP_PASSWORD": "une-phrase-de-passe",
    }
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "setup_app_role"],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        owner_cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s", [role]
        )
        assert owner_cursor.fetchone() == (False, False, True)
        checks = {
            ("cep_beneficiary", "SELECT"): True,
            ("cep_beneficiary", "UPDATE"): True,
            ("cep_auditevent", "INSERT"): True,
            ("cep_auditevent", "UPDATE"): False,
            ("cep_auditevent", "DELETE"): False,
            ("cep_beneficiary", "TRUNCATE"): False,
        }
        for (table, right), expected in checks.items():
            owner_cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, right])
            assert owner_cursor.fetchone()[0] is expected, (table, right)
    finally:
        owner_cursor.execute(f"DROP OWNED BY {role}")
        owner_cursor.execute(f"DROP ROLE IF EXISTS {role}")


def test_no_code_narrows_a_manager_alone():
    """`Manager.with_scope()` scopes one query in Python while the database keeps the scope
    of the surrounding code: the two walls would disagree. The code enters `scope()` instead."""
    root = Path(__file__).resolve().parents[2]
    apps_ = ("cep", "accueil", "conseil", "accompagnement", "synthese", "indicateurs", "bench")
    found = [
        f"{path.relative_to(root)}:{number}"
        for app in apps_
        for path in sorted((root / app).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ".with_scope(" in line
    ]
    assert found == []
