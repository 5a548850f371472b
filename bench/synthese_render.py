"""Time the synthèse: the app's render against raw WeasyPrint on the same HTML, then the throughput
of real Celery workers with 10 documents in flight.

Run against a database with the demo data (`make run` seeds it, or `manage.py seed_demo`):
    DATABASE_URL=postgres://…/base .venv/bin/python bench/synthese_render.py [--runs 20]

Redis must answer for the throughput part; the bench starts its own worker (2 processes) and
removes the documents it created.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import percentile, timed  # noqa: E402

IN_FLIGHT = 10


def line(label: str, timings: list[float]) -> str:
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    return f"{label:<48} {median:>9.0f} {p95:>9.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cep.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django_scopes import scope, scopes_disabled
    from weasyprint import HTML

    from synthese.models import SynthesisDocument
    from synthese.rendering import html_to_pdf, render_html
    from synthese.selectors import document_for_render

    # Picking the richest document of the demo, whatever its operator; the render itself runs in
    # that operator's scope below.
    with scopes_disabled():
        document = (
            SynthesisDocument.objects.filter(plan_version__isnull=False)
            .annotate(services=Count("parcours__services"))
            .order_by("-services", "pk")
            .first()
        )
    if document is None:
        sys.exit("Aucune synthèse dans cette base : lancez d'abord manage.py seed_demo.")

    with scope(operator=document.operator_id):
        loaded = document_for_render(document.pk)
        html = render_html(loaded)
        pdf = html_to_pdf(html)
        print(
            f"Synthèse {document.pk} ({connection.settings_dict['NAME']}) : "
            f"{pdf.page_count} pages, {len(pdf.content) // 1024} Ko, HTML {len(html) // 1024} Ko"
        )
        print(f"\n{'rendu (' + str(args.runs) + ' fois)':<48} {'médiane ms':>9} {'p95 ms':>9}")
        app = timed(lambda: html_to_pdf(render_html(document_for_render(document.pk))), args.runs)
        print(line("synthèse de l'application (lecture + gabarit + PDF/UA)", app))
        print(
            line(
                "  dont gabarit et lecture des données",
                timed(lambda: render_html(document_for_render(document.pk)), args.runs),
            )
        )
        raw = timed(lambda: HTML(string=html).write_pdf(), args.runs)
        print(line("WeasyPrint brut, même HTML, PDF simple", raw))
        raw_ua = timed(lambda: HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"), args.runs)
        print(line("WeasyPrint brut, même HTML, PDF/UA-1", raw_ua))
        ratio = statistics.median(app) / statistics.median(raw)
        print(f"rapport application / WeasyPrint brut : {ratio:.2f}")

    throughput(document)


def throughput(document) -> None:
    from django.conf import settings
    from django.db.models import Max
    from django_scopes import scope
    from kombu.exceptions import OperationalError

    from cep.celery import app
    from synthese.models import SynthesisDocument
    from synthese.services import enqueue_render

    try:
        app.connection_for_write().ensure_connection(max_retries=1)
    except OperationalError:
        print("\nRedis ne répond pas : débit non mesuré.")
        return
    print(
        f"\nDébit : {IN_FLIGHT} synthèses en file, un worker Celery à 2 processus "
        f"({os.cpu_count()} cœurs sur cette machine)"
    )
    env = {**os.environ, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cep",
            "worker",
            "--concurrency",
            "2",
            "-l",
            "error",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    created = []
    try:
        time.sleep(4)  # the worker's start-up is not part of the figure
        with scope(operator=document.operator_id):
            last = SynthesisDocument.objects.filter(parcours_id=document.parcours_id).aggregate(
                n=Max("number")
            )["n"]
            for i in range(1, IN_FLIGHT + 1):
                created.append(
                    SynthesisDocument.objects.create(
                        operator_id=document.operator_id,
                        parcours_id=document.parcours_id,
                        number=last + i,
                        project_version_id=document.project_version_id,
                        plan_version_id=document.plan_version_id,
                        requested_by_id=document.requested_by_id,
                    )
                )
            started = time.perf_counter()
            for doc in created:
                enqueue_render(document_id=doc.pk, operator_id=doc.operator_id)
            pending = {doc.pk for doc in created}
            while pending and time.perf_counter() - started < 300:
                time.sleep(0.05)
                done = SynthesisDocument.objects.filter(pk__in=pending).exclude(
                    status__in=SynthesisDocument.PENDING
                )
                pending -= set(done.values_list("pk", flat=True))
            elapsed = time.perf_counter() - started
            ready = SynthesisDocument.objects.filter(pk__in=[d.pk for d in created], status="pret")
            waits = [(d.ready_at - d.requested_at).total_seconds() for d in ready if d.ready_at]
            print(
                f"  prêtes : {ready.count()}/{IN_FLIGHT} en {elapsed:.1f} s "
                f"→ {ready.count() / elapsed * 60:.0f} synthèses par minute"
            )
            if waits:
                print(
                    f"  attente demande → prête : médiane {statistics.median(waits):.1f} s, "
                    f"max {max(waits):.1f} s"
                )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        with scope(operator=document.operator_id):
            for doc in SynthesisDocument.objects.filter(pk__in=[d.pk for d in created]):
                if doc.file:
                    doc.file.delete(save=False)
                doc.delete()


if __name__ == "__main__":
    main()
