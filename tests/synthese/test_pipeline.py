"""The synthèse through the real pipeline: PostgreSQL, Redis, and a Celery worker process.

Asking commits the document and enqueues the render on commit; the worker renders it with
WeasyPrint and stores the file. A worker killed with SIGKILL in the middle of a render leaves the
message unacknowledged in Redis; the next worker gets it once the visibility timeout has passed,
and the document reaches "prête" once, with one file.
"""

from pathlib import Path

import pytest

from synthese import services
from synthese.models import SynthesisDocument
from tests.synthese.conftest import pdf_text
from tests.synthese.factories import (
    ACTION_TEXT,
    PROJECT_TEXT,
    STEP_TITLE,
    TRAINING_TITLE,
    agreed_parcours,
)
from tests.worker import CeleryWorker, broker_idle, purge_broker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3  # seconds before a message taken by a dead worker is handed out again


@pytest.fixture
def start_worker(media_root):
    purge_broker()
    started = []

    def _start() -> CeleryWorker:
        worker = CeleryWorker(
            MEDIA_ROOT=str(media_root),
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CELERY_RESTORE_INTERVAL="1",
        ).start()
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop()
    purge_broker()


def status_of(document) -> str:
    return SynthesisDocument.objects.values_list("status", flat=True).get(pk=document.pk)


def test_a_real_worker_renders_the_document_end_to_end(start_worker):
    start_worker()
    parcours = agreed_parcours()

    document = services.request_synthesis(membership=parcours.referent, parcours=parcours)

    assert wait_for(lambda: status_of(document) == SynthesisDocument.Status.READY), (
        f"not ready: {status_of(document)}"
    )
    document.refresh_from_db()
    text = pdf_text(document.file.path)
    for expected in (PROJECT_TEXT, STEP_TITLE, ACTION_TEXT, TRAINING_TITLE):
        assert expected in text
    assert document.attempts == 1
    assert wait_for(broker_idle)


def test_a_worker_killed_mid_render_loses_nothing_and_renders_once(start_worker, media_root):
    # Long enough to render (several seconds) that the kill lands in the middle of it.
    parcours = agreed_parcours(services=400, actions=300)
    first = start_worker()

    document = services.request_synthesis(membership=parcours.referent, parcours=parcours)
    assert wait_for(lambda: status_of(document) == SynthesisDocument.Status.RENDERING, step=0.02)
    first.kill()

    document.refresh_from_db()
    assert document.status == SynthesisDocument.Status.RENDERING  # killed mid-render
    assert document.attempts == 1
    assert list(Path(media_root).rglob("*.pdf")) == []

    start_worker()
    assert wait_for(lambda: status_of(document) == SynthesisDocument.Status.READY, seconds=90)
    assert wait_for(broker_idle)  # the redelivered message was acknowledged: no third run

    document.refresh_from_db()
    assert document.attempts == 2
    files = list(Path(media_root).rglob("*.pdf"))
    assert files == [Path(document.file.path)]
    assert PROJECT_TEXT in pdf_text(files[0])
