"""The suite runs beside a running platform: `make run` and `make test` at the same time.

The platform's settings are read in a fresh process outside pytest, with none of the suite's
variables, as `make run` would read them. The suite must differ from them in its broker database,
its queue, its cache database and its media folder; and a worker started with the platform's
defaults must receive none of the tasks the suite sends, while the suite's worker does them all.

The two workers share one Redis server that the test starts on a free port of its own, standing
for the server both installations would share: a platform really running on this machine is
neither disturbed (its queue is never read) nor able to disturb the test.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.utils import timezone

from accueil.models import SessionRegistration
from cep.celery import app
from tests.accueil.factories import InformationSessionFactory, SessionRegistrationFactory
from tests.real_clock import real_clock_env
from tests.worker import CeleryWorker, wait_for

ROOT = Path(__file__).resolve().parent.parent
SUITE_VARIABLES = ("REDIS_URL", "CACHE_URL", "CELERY_QUEUE", "MEDIA_ROOT")


def platform_settings() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in SUITE_VARIABLES}
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'broker': s.CELERY_BROKER_URL, 'queue': s.CELERY_TASK_DEFAULT_QUEUE,"
        " 'cache': s.CACHES['default'].get('LOCATION', ''), 'media': str(s.MEDIA_ROOT)}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "cep.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def on_server(url: str, port: int) -> str:
    """The same Redis database number, on another server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"127.0.0.1:{port}", parts.path, "", ""))


def test_the_suite_uses_none_of_the_platform_s_redis_databases_queue_or_media():
    platform = platform_settings()
    # The platform's defaults, as the README's settings table gives them.
    assert platform == {
        "broker": "redis://127.0.0.1:6379/0",
        "queue": "cep",
        "cache": "redis://127.0.0.1:6379/1",
        "media": str(ROOT / "var" / "media"),
    }
    assert urlsplit(app.conf.broker_url).path not in {"/0", "/1"}
    assert app.conf.task_default_queue != "cep"
    suite_cache = settings.CACHES["default"]["LOCATION"]
    assert urlsplit(suite_cache).path not in {"/0", "/1"}
    assert suite_cache != app.conf.broker_url  # the suite's cache.clear() empties no queue
    assert not Path(settings.MEDIA_ROOT).is_relative_to(ROOT / "var" / "media")


@pytest.fixture
def shared_redis():
    """A Redis server of the test's own, on a free port."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*("redis-server", "--port", str(port), "--bind", "127.0.0.1"), "--save", ""],
        stdout=subprocess.DEVNULL,
        env=real_clock_env(),
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def cancelled_session(email: str):
    session = InformationSessionFactory(
        theme="Découvrir les métiers du soin", cancelled_at=timezone.now()
    )
    SessionRegistrationFactory(session=session, beneficiary__email=email)
    return session


def recipients(outbox: Path) -> list[str]:
    return sorted(
        line.split(": ", 1)[1]
        for message in outbox.iterdir()
        for line in message.read_text().splitlines()
        if line.startswith("To: ")
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_with_the_platform_s_defaults_takes_none_of_the_suite_s_tasks(
    shared_redis, tmp_path
):
    platform = platform_settings()
    platform_outbox, suite_outbox = tmp_path / "platform", tmp_path / "suite"
    platform_outbox.mkdir()
    suite_outbox.mkdir()
    mail = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}
    suite_broker = on_server(app.conf.broker_url, shared_redis)
    platform_broker = on_server(platform["broker"], shared_redis)

    platform_worker = CeleryWorker(
        **mail,
        EMAIL_FILE_PATH=str(platform_outbox),
        REDIS_URL=platform_broker,
        CACHE_URL=on_server(platform["cache"], shared_redis),
        CELERY_QUEUE=platform["queue"],
        MEDIA_ROOT=str(tmp_path / "platform-media"),
    )
    suite_worker = CeleryWorker(**mail, EMAIL_FILE_PATH=str(suite_outbox), REDIS_URL=suite_broker)
    platform_worker.start()
    suite_worker.start()
    try:
        sessions = [cancelled_session(f"personne{i}@exemple.invalid") for i in range(4)]
        with app.connection_for_write(suite_broker) as connection:
            for session in sessions:
                # What a cancellation sends, on the suite's own broker database and queue.
                app.send_task(
                    "accueil.tasks.notify_session_cancelled",
                    kwargs={"session_id": session.pk, "operator_id": session.operator_id},
                    connection=connection,
                )
        # The platform's worker is alive and would do such a task if it were sent its way.
        control = cancelled_session("temoin@exemple.invalid")
        with app.connection_for_write(platform_broker) as connection:
            app.send_task(
                "accueil.tasks.notify_session_cancelled",
                kwargs={"session_id": control.pk, "operator_id": control.operator_id},
                queue=platform["queue"],
                connection=connection,
            )

        def all_notified() -> bool:
            return (
                SessionRegistration.objects.filter(cancellation_notified_at__isnull=False).count()
                == 5
            )

        assert wait_for(all_notified), "the tasks were not all done"
    finally:
        platform_worker.stop()
        suite_worker.stop()
    assert recipients(suite_outbox) == [f"personne{i}@exemple.invalid" for i in range(4)]
    assert recipients(platform_outbox) == ["temoin@exemple.invalid"]
