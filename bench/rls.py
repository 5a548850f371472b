"""What row-level security costs: the hot pages timed as the tables' owner (no policy applies)
and as the application's role (every policy applies), on the same data, in the same process.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepscale   # the owner
    export DATABASE_APP_ROLE=cep_app DATABASE_APP_PASSWORD=cep_app
    .venv/bin/python manage.py setup_app_role
    .venv/bin/python bench/rls.py [--runs 20] [--role cep_app --password cep_app]

Figures printed, never asserted: median and 95th percentile per page for each role, and their
ratio. A full scan of one operator's services shows the policy's cost per row.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402
    largest_operator_and_busiest_counsellor,
    logged_in_client,
    percentile,
    setup_django_for_pages,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--role", default="cep_app")
    parser.add_argument("--password", default="cep_app")
    args = parser.parse_args()
    # Every request computes its page: no home alerts kept from the previous one.
    setup_django_for_pages(HOME_ALERTS_CACHE_SECONDS="0")
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from cep.models import Membership, Parcours
    from indicateurs.selectors import current_month

    # Choosing what to measure reads every operator: a bench's deliberate wide read.
    with scopes_disabled():
        largest, counsellor = largest_operator_and_busiest_counsellor()
        if largest is None:
            sys.exit(
                "Base vide : lancez d'abord manage.py generate_scale_data (voir bench/run.py)."
            )
        manager = Membership.objects.filter(operator=largest, role="manager").first()
        person = Parcours.objects.filter(referent=counsellor).order_by("pk").first()

    pages = [
        ("portefeuille (50 lignes)", counsellor, "/beneficiaires/"),
        ("fiche bénéficiaire", counsellor, f"/beneficiaires/{person.beneficiary_id}/"),
        ("API liste des bénéficiaires", counsellor, "/api/v1/beneficiaries/"),
        ("vue d'équipe (manager)", manager, "/gestion/equipe/"),
        (
            "indicateurs opérateur, mois en cours",
            manager,
            f"/indicateurs/?periode=mois&mois={current_month():%Y-%m}",
        ),
    ]

    def full_scan():
        with scope(operator=largest.pk), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(duration_minutes) FROM cep_service WHERE operator_id = %s",
                [largest.pk],
            )
            return cursor.fetchone()[0]

    owner = {
        "USER": connection.settings_dict["USER"],
        "PASSWORD": connection.settings_dict["PASSWORD"],
    }
    roles = [("propriétaire", owner), (args.role, {"USER": args.role, "PASSWORD": args.password})]
    results: dict[str, dict[str, list[float]]] = {}
    rows_scanned = {}
    for role_label, credentials in roles:
        connection.close()
        connection.settings_dict.update(credentials)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            user, is_superuser = cursor.fetchone()
        print(f"Rôle {user} (superutilisateur : {'oui' if is_superuser else 'non'})")
        for label, membership, url in pages:
            client = logged_in_client(membership.user, membership)
            client.get(url)  # warm
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (label, role_label, response.status_code)
            results.setdefault(label, {})[role_label] = timings
        full_scan()
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            rows_scanned[role_label] = full_scan()
            timings.append((time.perf_counter() - started) * 1000)
        results.setdefault("parcours complet des prestations", {})[role_label] = timings
    connection.close()
    connection.settings_dict.update(owner)

    print(f"\nOpérateur mesuré : {largest.name} ; {rows_scanned} prestations lues par le parcours")
    a, b = (label for label, _ in roles)
    print(
        f"{'mesure':<38} {a + ' méd.':>16} {'p95':>7} {b + ' méd.':>14} {'p95':>7} {'rapport':>8}"
    )
    for label, by_role in results.items():
        first, second = by_role[a], by_role[b]
        print(
            f"{label:<38} {statistics.median(first):>16.1f} {percentile(first, 0.95):>7.1f} "
            f"{statistics.median(second):>14.1f} {percentile(second, 0.95):>7.1f} "
            f"{statistics.median(second) / statistics.median(first):>8.2f}"
        )


if __name__ == "__main__":
    main()
