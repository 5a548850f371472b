"""The platform's hot paths on national-scale data, with the figures the README reports.

    createdb -h 127.0.0.1 -U postgres cepscale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepscale
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_scale_data --operators 100 --beneficiaries 1000000 \\
        --services 5000000
    .venv/bin/python bench/run.py [--runs 20]

For each page: SQL queries per request, server time in-process (median and 95th percentile over
--runs), the time of the same SQL statements run alone (the floor the page cannot beat), and
their ratio; then one synthèse rendered by the app against raw WeasyPrint on the same HTML. The
first run stores the indicator snapshots of the last 36 months (the nightly job's work, timed).
Targets (goals printed next to the figures, never asserted): caseload ≤ 5 queries and ≤ 3 times its
SQL; national indicators from rollups ≤ 200 ms; an operator's live month ≤ 500 ms; synthèse
≤ 1.2 times raw WeasyPrint.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402
    largest_operator_and_busiest_counsellor,
    logged_in_client,
    measure,
    percentile,
    setup_django_for_pages,
    timed,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup_django_for_pages(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    from django.db import connection
    from django.db.models import Count
    from django_scopes import scope, scopes_disabled
    from weasyprint import HTML

    from accompagnement.models import PlanVersion
    from cep import services
    from cep.models import Membership, Parcours
    from conseil.models import ProjectVersion
    from indicateurs import services as indicator_services
    from indicateurs.models import SnapshotRun
    from indicateurs.periods import add_months
    from indicateurs.selectors import current_month
    from synthese.models import SynthesisDocument
    from synthese.rendering import html_to_pdf, render_html
    from synthese.selectors import document_for_render

    # The bench reads every operator to pick what it measures; each page then runs in its
    # reader's scope, as in production.
    with scopes_disabled():
        counts = {}
        with connection.cursor() as cursor:
            for label, table in (
                ("opérateurs", "cep_operator"),
                ("bénéficiaires", "cep_beneficiary"),
                ("prestations", "cep_service"),
            ):
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts[label] = cursor.fetchone()[0]
        if not counts["bénéficiaires"]:
            sys.exit("Base vide : lancez d'abord manage.py generate_scale_data (voir l'en-tête).")
        print(f"Base {connection.settings_dict['NAME']} : {counts}, {os.cpu_count()} cœurs")
        latest = add_months(current_month(), -1)
        if not SnapshotRun.objects.filter(month=latest).exists():
            started = time.perf_counter()
            runs = [
                indicator_services.rebuild_month(month=add_months(latest, -n))
                for n in reversed(range(36))
            ]
            print(
                f"Consolidation de 36 mois : {time.perf_counter() - started:.0f} s "
                f"(médiane {statistics.median(r.duration_ms for r in runs):.0f} ms par mois)"
            )
        largest, counsellor = largest_operator_and_busiest_counsellor()
        manager = Membership.objects.filter(operator=largest, role="manager").first()
        person = (
            # A synthèse needs a project (and, at level 3, a plan).
            Parcours.objects.filter(
                referent=counsellor,
                current_level=3,
                project_versions__isnull=False,
                action_plan__isnull=False,
            )
            .distinct()
            .annotate(n=Count("services", distinct=True))
            .order_by("-n", "pk")
            .first()
        )
        user_model = counsellor.user.__class__
        national, _ = user_model.objects.get_or_create(username="bench-coordination-nationale")
        coordinator = services.appoint_coordinator(user=national, level="nation")
        print(
            f"Opérateur mesuré : {largest.name} ({largest.people} bénéficiaires) ; "
            f"portefeuille de {counsellor.user.username}"
        )

    year = f"periode=personnalise&du={add_months(latest, -11):%Y-%m}&au={latest:%Y-%m}"
    pages = [
        (
            "portefeuille (50 lignes)",
            logged_in_client(counsellor.user, counsellor),
            "/beneficiaires/",
        ),
        (
            "fiche bénéficiaire",
            logged_in_client(counsellor.user, counsellor),
            f"/beneficiaires/{person.beneficiary_id}/",
        ),
        ("vue d'équipe (manager)", logged_in_client(manager.user, manager), "/gestion/equipe/"),
        (
            "API liste des bénéficiaires",
            logged_in_client(counsellor.user, counsellor),
            "/api/v1/beneficiaries/",
        ),
        (
            "indicateurs opérateur, mois en cours",
            logged_in_client(manager.user, manager),
            f"/indicateurs/?periode=mois&mois={current_month():%Y-%m}",
        ),
        (
            "indicateurs nationaux, 12 mois",
            logged_in_client(coordinator.user),
            f"/indicateurs/?{year}",
        ),
    ]
    targets = {
        "portefeuille (50 lignes)": "≤ 5 requêtes, rapport ≤ 3",
        "indicateurs opérateur, mois en cours": "≤ 500 ms",
        "indicateurs nationaux, 12 mois": "≤ 200 ms",
    }
    print(
        f"\n{'page':<38} {'requêtes':>8} {'médiane ms':>11} {'p95 ms':>8} "
        f"{'SQL seul ms':>12} {'rapport':>8}  objectif"
    )
    for label, client, url in pages:
        queries, timings, floor, _ = measure(client, url, args.runs, connection)
        median, sql_median = statistics.median(timings), statistics.median(floor)
        print(
            f"{label:<38} {queries:>8} {median:>11.1f} {percentile(timings, 0.95):>8.1f} "
            f"{sql_median:>12.1f} {median / sql_median:>8.2f}  {targets.get(label, '')}"
        )

    # One synthèse of a level-3 parcours with an agreed project and plan, rendered in-process.
    with scope(operator=person.operator_id):
        document = SynthesisDocument.objects.create(
            operator_id=person.operator_id,
            parcours=person,
            number=SynthesisDocument.objects.filter(parcours=person).count() + 1,
            project_version=ProjectVersion.objects.filter(parcours=person).first(),
            plan_version=PlanVersion.objects.filter(plan__parcours=person).first(),
            requested_by=counsellor,
        )
        try:
            html = render_html(document_for_render(document.pk))
            app = timed(
                lambda: html_to_pdf(render_html(document_for_render(document.pk))), args.runs
            )
            raw = timed(lambda: HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"), args.runs)
        finally:
            document.delete()
    print(
        f"{'synthèse (application)':<38} {'':>8} {statistics.median(app):>11.1f} "
        f"{percentile(app, 0.95):>8.1f} {statistics.median(raw):>12.1f} "
        f"{statistics.median(app) / statistics.median(raw):>8.2f}  rapport ≤ 1,2"
    )
    print("  (pour la synthèse, « SQL seul » est WeasyPrint brut sur le même HTML, PDF/UA-1)")


if __name__ == "__main__":
    main()
