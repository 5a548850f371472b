"""The audit trail: append-only in the database, chained by hash per operator, purged after its
retention from a checkpoint, and readable by managers and by the person it is about."""

from datetime import timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cep import services
from cep.audit import verify_chain
from cep.models import AuditCheckpoint, AuditEvent, Membership
from tests.factories import (
    BeneficiaryAccountFactory,
    BeneficiaryFactory,
    OperatorFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db


def write_events(operator, count: int, *, days_ago: int = 0, beneficiary=None) -> None:
    """Events written as any code path would, at a given age (raw SQL: the trail's own
    trigger chains them)."""
    with connection.cursor() as cursor:
        for n in range(count):
            cursor.execute(
                "INSERT INTO cep_auditevent (operator_id, action, object_type, object_id, at, "
                "details, beneficiary_id, previous_hash, hash) "
                "VALUES (%s, 'read', 'cep.beneficiary', %s, %s, '{}', %s, '', '')",
                [operator.pk, str(n), timezone.now() - timedelta(days=days_ago), beneficiary],
            )


def chain(operator) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(operator=operator)
        .order_by("chain_index")
        .values_list("chain_index", "previous_hash", "hash")
    )


def tamper(owner_cursor, sql: str, params) -> None:
    """What someone with the table owner's rights would do: switch the guard off, edit."""
    owner_cursor.execute("ALTER TABLE cep_auditevent DISABLE TRIGGER cep_audit_append_only")
    try:
        owner_cursor.execute(sql, params)
    finally:
        owner_cursor.execute("ALTER TABLE cep_auditevent ENABLE TRIGGER cep_audit_append_only")


def test_the_application_may_not_update_or_delete_the_trail():
    operator = OperatorFactory()
    write_events(operator, 2)
    for sql in (
        "UPDATE cep_auditevent SET action = 'export'",
        "DELETE FROM cep_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="permission denied for table cep_auditevent"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.filter(operator=operator, action="read").count() == 2


def test_even_the_owner_may_not_update_or_delete_the_trail(owner_cursor):
    operator = OperatorFactory()
    write_events(operator, 2)
    for sql in (
        "UPDATE cep_auditevent SET action = 'export'",
        "DELETE FROM cep_auditevent",
    ):
        with pytest.raises(psycopg.Error, match="ajout seul"):
            owner_cursor.execute(sql)
    assert AuditEvent.objects.filter(operator=operator, action="read").count() == 2


def test_each_operator_has_its_own_chain():
    a, b = OperatorFactory(), OperatorFactory()
    write_events(a, 3)
    write_events(b, 2)
    links = chain(a)
    assert [index for index, _, _ in links] == [1, 2, 3]
    assert links[0][1] == ""  # the first link follows nothing
    assert links[1][1] == links[0][2] and links[2][1] == links[1][2]
    assert [index for index, _, _ in chain(b)] == [1, 2]
    assert verify_chain() == (5, [])


def test_an_edited_event_is_detected(owner_cursor):
    operator = OperatorFactory()
    write_events(operator, 4)
    second = AuditEvent.objects.get(operator=operator, chain_index=2)
    tamper(owner_cursor, "UPDATE cep_auditevent SET object_id = 'autre' WHERE id = %s", [second.pk])
    read, faults = verify_chain()
    assert read == 4
    assert [(f.event_id, f.reason) for f in faults] == [(second.pk, "contenu modifié")]
    with pytest.raises(CommandError, match="1 anomalie"):
        call_command("verify_audit_chain")


def test_a_removed_event_is_detected(owner_cursor):
    operator = OperatorFactory()
    write_events(operator, 4)
    third = AuditEvent.objects.get(operator=operator, chain_index=3)
    fourth = AuditEvent.objects.get(operator=operator, chain_index=4)
    tamper(owner_cursor, "DELETE FROM cep_auditevent WHERE id = %s", [third.pk])
    reasons = {(f.event_id, f.reason) for f in verify_chain()[1]}
    assert reasons == {
        (fourth.pk, "lien avec l'événement précédent rompu"),
        (fourth.pk, "événement précédent manquant"),
    }


def test_the_purge_keeps_the_chain_verifiable(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    operator = OperatorFactory()
    write_events(operator, 3, days_ago=400)
    write_events(operator, 2, days_ago=10)
    assert services.purge_old_audit_events() == 3
    assert [index for index, _, _ in chain(operator)] == [4, 5]
    checkpoint = AuditCheckpoint.objects.get(operator=operator)
    assert checkpoint.up_to_index == 3
    assert verify_chain() == (2, [])
    # The chain goes on after the purge.
    write_events(operator, 1)
    assert [index for index, _, _ in chain(operator)] == [4, 5, 6]
    assert verify_chain() == (3, [])


def test_managers_see_who_accessed_a_file(login_as):
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    person = BeneficiaryFactory(operator=operator)
    counsellor.user.first_name, counsellor.user.last_name = "Apolline", "Consultante"
    counsellor.user.save()
    assert login_as(counsellor).get(f"/beneficiaires/{person.pk}/").status_code == 200
    assert login_as(counsellor).get(f"/beneficiaires/{person.pk}/acces/").status_code == 404
    page = login_as(manager).get(f"/beneficiaires/{person.pk}/acces/").content.decode()
    assert "Apolline Consultante" in page and "Consultation" in page
    # Reading the log is an access too.
    assert AuditEvent.objects.filter(
        membership=manager, beneficiary=person, details__journal_des_acces=True
    ).exists()


def test_the_person_sees_who_accessed_their_file(client, login_as):
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    counsellor.user.first_name, counsellor.user.last_name = "Bérénice", "Lectrice"
    counsellor.user.save()
    account = BeneficiaryAccountFactory(beneficiary=BeneficiaryFactory(operator=operator))
    neighbour = BeneficiaryFactory(operator=operator)
    login_as(counsellor).get(f"/beneficiaires/{account.beneficiary_id}/")
    other = make_membership(operator=operator)
    other.user.first_name, other.user.last_name = "Zébulon", "Ailleurs"
    other.user.save()
    login_as(other).get(f"/beneficiaires/{neighbour.pk}/")
    client.force_login(account.user)
    page = client.get("/mon-espace/acces/").content.decode()
    assert "Bérénice Lectrice" in page
    assert "Zébulon" not in page  # someone who read another person's file only


def test_the_access_log_keeps_its_query_count(login_as):
    from django.test.utils import CaptureQueriesContext

    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    person = BeneficiaryFactory(operator=operator)
    client = login_as(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/beneficiaires/{person.pk}/acces/")
        return len(queries)

    before = count()
    for _ in range(5):
        login_as(make_membership(operator=operator)).get(f"/beneficiaires/{person.pk}/")
    client = login_as(manager)
    assert count() == before


def test_the_persons_access_log_keeps_its_query_count(client, login_as):
    from django.test.utils import CaptureQueriesContext

    operator = OperatorFactory()
    account = BeneficiaryAccountFactory(beneficiary=BeneficiaryFactory(operator=operator))

    def count() -> int:
        client.force_login(account.user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/mon-espace/acces/").status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        login_as(make_membership(operator=operator)).get(
            f"/beneficiaires/{account.beneficiary_id}/"
        )
    assert count() == before
