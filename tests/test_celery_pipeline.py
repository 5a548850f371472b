"""The real pipeline: PostgreSQL, Redis and a Celery worker process started by the test.

Cancelling a session enqueues the notification on commit; the worker re-enters the operator's
scope, sends one e-mail per registrant (to files here) and marks each registration, so a second
delivery of the same task sends nothing more.
"""

import pytest

from accueil import services
from accueil.models import SessionRegistration
from cep.celery import app
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory
from tests.worker import CeleryWorker, broker_idle, purge_broker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    purge_broker()
    process = CeleryWorker(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    ).start()
    try:
        yield outbox
    finally:
        process.stop()


def test_cancellation_reaches_every_registrant_through_a_real_worker(worker):
    session = InformationSessionFactory(theme="Financer sa formation")
    emails = [f"personne{i}@exemple.invalid" for i in range(3)]
    for email in emails:
        SessionRegistrationFactory(session=session, beneficiary__email=email)
    SessionRegistrationFactory(session=session, beneficiary__email="")
    services.cancel_session(membership=session.animator, session=session, reason="Salle fermée")

    def all_marked():
        return (
            SessionRegistration.objects.filter(
                session=session, cancellation_notified_at__isnull=False
            ).count()
            == 3
        )

    assert wait_for(all_marked), "the worker did not send the notifications"
    messages = [path.read_text() for path in worker.iterdir()]
    sent_to = sorted(
        line.split(": ", 1)[1]
        for m in messages
        for line in m.splitlines()
        if line.startswith("To: ")
    )
    assert sent_to == sorted(emails)
    assert all("Financer sa formation" in m and "Salle fermée" in m for m in messages)

    # The same task delivered again (a retry, a duplicate message) tells nobody twice.
    app.send_task(
        "accueil.tasks.notify_session_cancelled",
        kwargs={"session_id": session.pk, "operator_id": session.operator_id},
    )
    assert wait_for(broker_idle)
    again = [path.read_text() for path in worker.iterdir()]
    assert sum(m.count("To: ") for m in again) == 3
