"""The real pipeline: PostgreSQL, Redis and a Celery worker process started by the test.

Cancelling a session enqueues the notification on commit; the worker re-enters the operator's
scope, sends one e-mail per registrant (to files here) and marks each registration, so a second
delivery of the same task sends nothing more.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from accueil import services
from accueil.models import SessionRegistration
from cep.celery import app
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}:"
            f"{connection.settings_dict['PASSWORD'] or ''}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"
        ),
        # The same broker as this process: the worker must receive what the test enqueues.
        "REDIS_URL": app.conf.broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "SECRET_KEY": "celery-pipeline-test",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    app.control.purge()  # nothing left over from another run
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cep", "worker", "--pool=solo", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield outbox
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        # Shown by pytest when the test fails: what the worker said.
        print(output.decode(errors="replace"))


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


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
    redis = app.connection_for_write().default_channel.client
    # acks_late: a message leaves Redis's "unacked" set only once the task has finished.
    assert wait_for(lambda: redis.llen("celery") == 0 and redis.hlen("unacked") == 0)
    again = [path.read_text() for path in worker.iterdir()]
    assert sum(m.count("To: ") for m in again) == 3
