"""Collective information sessions: small, never overbooked, cancelled with a word to everyone."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from accueil import services
from accueil.models import SessionRegistration
from cep.models import Service
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory
from tests.factories import BeneficiaryFactory, MembershipFactory, ParcoursFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_two_counsellors_racing_for_the_last_seat():
    """Two threads, two database connections, one seat: one registration wins, the other is
    told the session is full, and the session never holds more people than seats."""
    session = InformationSessionFactory(capacity=2)
    SessionRegistrationFactory(session=session)
    people = [BeneficiaryFactory(operator=session.operator) for _ in range(2)]
    counsellors = [MembershipFactory(operator=session.operator) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(counsellor, person):
        try:
            with scope(operator=session.operator_id):
                barrier.wait(timeout=10)
                services.register_for_session(
                    membership=counsellor, session=session, beneficiary=person
                )
            outcomes.append("inscrit")
        except ValidationError as error:
            outcomes.append(error.message_dict["beneficiary"][0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=register, args=pair)
        for pair in zip(counsellors, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [
        "Cette session est complète (2 places) : proposez une autre date.",
        "inscrit",
    ]
    assert SessionRegistration.objects.filter(session=session).count() == 2


def test_duplicate_registration_is_refused():
    registration = SessionRegistrationFactory()
    with pytest.raises(ValidationError) as error:
        services.register_for_session(
            membership=registration.registered_by,
            session=registration.session,
            beneficiary=registration.beneficiary,
        )
    assert error.value.message_dict["beneficiary"] == [
        f"{registration.beneficiary.full_name} est déjà inscrit(e) à cette session."
    ]
    assert SessionRegistration.objects.count() == 1


def test_cancellation_tells_every_registrant_separately(django_capture_on_commit_callbacks):
    session = InformationSessionFactory(theme="Financer sa formation")
    with_email = [
        SessionRegistrationFactory(session=session, beneficiary__email=f"p{i}@exemple.invalid")
        for i in range(3)
    ]
    SessionRegistrationFactory(session=session, beneficiary__email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(
            membership=session.animator, session=session, reason="Animatrice absente"
        )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        r.beneficiary.email for r in with_email
    )
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert "Financer sa formation" in message.body and "Animatrice absente" in message.body
        others = [r.beneficiary.email for r in with_email if r.beneficiary.email != message.to[0]]
        assert not any(other in message.body for other in others)
    session.refresh_from_db()
    assert session.is_cancelled


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_at": -1}, "starts_at", "Une session se programme dans le futur."),
        ({"capacity": 0}, "capacity", "Une session compte au moins une place."),
        (
            {"capacity": 21},
            "capacity",
            "Une session d'information collective compte au plus 20 places.",
        ),
        ({"site": None}, "site", "Indiquez un site d'accueil ou un lien de visioconférence."),
    ],
)
def test_bad_session_is_refused(changes, field, message):
    animator = MembershipFactory()
    values = {
        "theme": "Découvrir le CEP",
        "starts_at": timezone.now() + timedelta(days=3),
        "animator": animator,
        "site": SiteFactory(operator=animator.operator),
        "capacity": 12,
    }
    if "starts_at" in changes:
        values["starts_at"] = timezone.now() + timedelta(days=changes.pop("starts_at"))
    values.update(changes)
    with pytest.raises(ValidationError) as error:
        services.create_session(membership=animator, **values)
    assert message in error.value.message_dict[field]


def test_default_capacity_is_twelve():
    animator = MembershipFactory()
    session = services.create_session(
        membership=animator,
        theme="Découvrir le CEP",
        starts_at=timezone.now() + timedelta(days=3),
        animator=animator,
        remote_link="https://visio.exemple.invalid/cep",
    )
    assert session.capacity == 12


def test_attending_records_a_collective_level_1_service():
    session = InformationSessionFactory(past=True)
    parcours = ParcoursFactory(operator=session.operator)
    registration = SessionRegistrationFactory(session=session, beneficiary=parcours.beneficiary)
    services.record_attendance(
        membership=session.animator, registration=registration, attendance="present"
    )
    service = Service.objects.get(parcours=parcours)
    assert (service.kind, service.level, service.duration_minutes) == (
        "information_collective",
        1,
        session.duration_minutes,
    )
    services.record_attendance(
        membership=session.animator, registration=registration, attendance="absent"
    )
    assert not Service.objects.filter(parcours=parcours).exists()


def test_attendance_before_the_session_is_refused():
    registration = SessionRegistrationFactory()
    with pytest.raises(ValidationError, match="une fois la session commencée"):
        services.record_attendance(
            membership=registration.registered_by, registration=registration, attendance="present"
        )


def test_attending_a_session_is_level_1_even_at_level_2():
    session = InformationSessionFactory(past=True)
    parcours = ParcoursFactory(operator=session.operator, entry_level=2)
    registration = SessionRegistrationFactory(session=session, beneficiary=parcours.beneficiary)
    services.record_attendance(
        membership=session.animator, registration=registration, attendance="present"
    )
    assert Service.objects.get(parcours=parcours).level == 1


def test_messages_lost_with_the_broker_are_sent_again_by_the_periodic_job(
    django_capture_on_commit_callbacks,
):
    """The session was cancelled while the broker was down: nobody was told. Ten minutes later
    the periodic job tells them, once; a session already past is left alone."""
    session = InformationSessionFactory(theme="Financer sa formation")
    emails = ["a@exemple.invalid", "b@exemple.invalid"]
    for email in emails:
        SessionRegistrationFactory(session=session, beneficiary__email=email)
    SessionRegistrationFactory(session=session, beneficiary__email="")  # nobody to write to
    with django_capture_on_commit_callbacks(execute=False):  # the task never left
        services.cancel_session(
            membership=session.animator, session=session, reason="Animatrice absente"
        )
    assert mail.outbox == []
    now = timezone.now()
    assert services.resend_lost_cancellations(now=now) == []  # too early: the worker may send
    later = now + timedelta(minutes=11)
    assert services.resend_lost_cancellations(now=later) == [session.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(emails)
    assert services.resend_lost_cancellations(now=later) == []  # nobody told twice
    assert len(mail.outbox) == 2


def test_a_lost_cancellation_of_a_past_session_is_not_sent():
    session = InformationSessionFactory()
    SessionRegistrationFactory(session=session, beneficiary__email="a@exemple.invalid")
    session.cancelled_at = timezone.now()
    session.cancellation_reason = "Salle fermée"
    session.save()
    after_the_session = session.starts_at + timedelta(hours=1)
    assert services.resend_lost_cancellations(now=after_the_session) == []
    assert mail.outbox == []
