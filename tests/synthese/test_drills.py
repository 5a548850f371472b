"""Failure drills of the synthèse pipeline, with real workers and a real Redis: long, so they run
only when asked (`bash scripts/test.sh --drills -k drills -s`). They print their figures.

1. Twenty renders, each with its worker killed by SIGKILL in the middle: a new worker picks every
   message up again; every document is ready exactly once, with one file.
2. Two hundred documents queued, then Redis restarted without persistence (the queue is lost):
   the sweep enqueues them again; every document is ready exactly once.
"""

import subprocess
import time
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import override_settings

from synthese import services
from synthese.models import SynthesisDocument
from tests.synthese.factories import agreed_parcours
from tests.worker import CeleryWorker, broker_idle, purge_broker, wait_for

pytestmark = [
    pytest.mark.drills,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

KILLS = 20
QUEUED = 200


def worker(media_root) -> CeleryWorker:
    return CeleryWorker(
        MEDIA_ROOT=str(media_root), CELERY_VISIBILITY_TIMEOUT="3", CELERY_RESTORE_INTERVAL="1"
    ).start()


def all_ready(documents) -> bool:
    return (
        not SynthesisDocument.objects.exclude(status=SynthesisDocument.Status.READY)
        .filter(pk__in=[d.pk for d in documents])
        .exists()
    )


def reconcile(media_root, documents) -> dict:
    ids = [d.pk for d in documents]
    statuses = dict(
        SynthesisDocument.objects.filter(pk__in=ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    files = list(Path(media_root).rglob("*.pdf"))
    return {
        "documents": len(ids),
        "prêts": statuses.get(SynthesisDocument.Status.READY, 0),
        "en attente": sum(n for s, n in statuses.items() if s != SynthesisDocument.Status.READY),
        "fichiers": len(files),
        "doublons": len(files) - len({f.name for f in files}),
    }


def test_drill_twenty_workers_killed_mid_render(media_root):
    purge_broker()
    # One synthèse is prepared at a time per parcours: one parcours per render. Long enough to
    # render (a few seconds) that the kill lands in the middle.
    files = [agreed_parcours(services=300, actions=200) for _ in range(KILLS)]
    documents, killed = [], 0
    started = time.perf_counter()
    for parcours in files:
        victim = worker(media_root)
        document = services.request_synthesis(membership=parcours.referent, parcours=parcours)
        documents.append(document)
        if wait_for(
            lambda d=document: SynthesisDocument.objects.filter(
                pk=d.pk, status=SynthesisDocument.Status.RENDERING
            ).exists(),
            seconds=60,
            step=0.01,
        ):
            victim.kill()
            killed += 1
        else:
            victim.stop()
    survivor = worker(media_root)
    try:
        assert wait_for(
            lambda: all_ready(documents),
            seconds=600,
        )
        assert wait_for(broker_idle)
    finally:
        survivor.stop()
    figures = reconcile(media_root, documents)
    print(
        f"\nExercice 1 : {killed} workers tués en plein rendu sur {KILLS} — {figures} "
        f"en {time.perf_counter() - started:.0f} s"
    )
    assert killed >= KILLS // 2  # most kills landed mid-render
    assert figures == {
        "documents": KILLS,
        "prêts": KILLS,
        "en attente": 0,
        "fichiers": KILLS,
        "doublons": 0,
    }


def restart_redis() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
    time.sleep(0.5)
    subprocess.run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
            "--save", "", "--appendonly", "no", "--dir", "/tmp",
        ],
        check=True,
    )  # fmt: skip
    assert wait_for(
        lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).stdout == b"PONG\n",
        seconds=10,
    )


@override_settings(SYNTHESIS_STUCK_AFTER_SECONDS=1)
def test_drill_two_hundred_queued_then_redis_restarted(media_root):
    purge_broker()
    files = [agreed_parcours(services=3, actions=1) for _ in range(QUEUED)]
    started = time.perf_counter()
    documents = [
        services.request_synthesis(membership=parcours.referent, parcours=parcours)
        for parcours in files
    ]
    restart_redis()  # the 200 messages were in the broker only: gone
    time.sleep(1.5)
    enqueued_again = services.sweep_stuck_documents()
    runner = worker(media_root)
    try:
        assert wait_for(
            lambda: all_ready(documents),
            seconds=900,
        )
        assert wait_for(broker_idle)
    finally:
        runner.stop()
    figures = reconcile(media_root, documents)
    print(
        f"\nExercice 2 : Redis redémarré avec {QUEUED} documents en file, {len(enqueued_again)} "
        f"remis en file par le balayage — {figures} en {time.perf_counter() - started:.0f} s"
    )
    assert figures == {
        "documents": QUEUED,
        "prêts": QUEUED,
        "en attente": 0,
        "fichiers": QUEUED,
        "doublons": 0,
    }
