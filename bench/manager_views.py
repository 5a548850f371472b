"""Managers' pages at national scale: 1 million beneficiaries over 20 operators (the largest with
100,000 and 300 counsellors) and 5 million services.

    createdb -h 127.0.0.1 -U postgres cepbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepbench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepbench .venv/bin/python bench/manager_views.py

The first run generates the data with INSERT … SELECT generate_series (a few minutes); later runs
reuse it (--regenerate to start again). It prints, for the team view and a counsellor's caseload
page: SQL queries per request, server time (median and p95 over --runs, in-process) next to the
time of the same SQL run alone (the floor), and whether EXPLAIN shows a sequential scan on
beneficiaries or services; then the time and queries of one bulk reassignment of 1,000 parcours.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import logged_in_client, measure, percentile, setup_django_for_pages  # noqa: E402

OPERATORS = 20
BENEFICIARIES = 1_000_000
LARGEST = 100_000
LARGEST_COUNSELLORS = 300
OTHER_COUNSELLORS = 60
SERVICES_PER_PARCOURS = 5


def generate(cursor, operator_model, user_model, membership_model, services) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    started = time.perf_counter()
    password = make_password("bench-cep-2026!")
    operators = [
        operator_model.objects.create(
            name=f"Opérateur bench {i:02d}", kind="operateur_regional", region="84"
        )
        for i in range(OPERATORS)
    ]
    sizes = [LARGEST] + [(BENEFICIARIES - LARGEST) // (OPERATORS - 1)] * (OPERATORS - 1)
    sizes[-1] += BENEFICIARIES - sum(sizes)
    plan = []
    for index, (operator, size) in enumerate(zip(operators, sizes, strict=True)):
        count = LARGEST_COUNSELLORS if index == 0 else OTHER_COUNSELLORS
        users = user_model.objects.bulk_create(
            user_model(
                username=f"bench-{index:02d}-{n:03d}",
                first_name=f"Conseiller {n:03d}",
                last_name=f"Équipe {index:02d}",
                password=password,
            )
            for n in range(count)
        )
        members = membership_model.objects.bulk_create(
            membership_model(user=u, operator=operator, role="conseiller") for u in users
        )
        plan.append((operator, size, [m.pk for m in members]))
        manager_user = user_model.objects.create(
            username=f"bench-manager-{index:02d}", password=password
        )
        services.grant_membership(operator=operator, user=manager_user, role="manager")
    print(
        f"  opérateurs et {sum(len(p[2]) for p in plan)} conseillers : "
        f"{time.perf_counter() - started:.0f} s"
    )
    for operator, size, member_ids in plan:
        first, n = min(member_ids), len(member_ids)
        assert max(member_ids) - first + 1 == n, "counsellor ids are not contiguous"
        cursor.execute(
            """
            INSERT INTO cep_beneficiary (operator_id, first_name, last_name, search_name, sex,
                birth_date, email, phone, postcode, departement, employment_status, pcs_group,
                diploma_level, rqth, qpv_resident, created_at, updated_at)
            SELECT %(op)s, 'Prénom' || g, 'Nom' || g, 'nom' || g || ' prénom' || g,
                CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                DATE '1960-01-01' + (g * 37 %% 14000), '', '', '', '69',
                (ARRAY['de_a','de_b','salarie_cdi','salarie_cdd','agent_titulaire'])[1 + g %% 5],
                '', '', g %% 17 = 0, false, %(now)s, %(now)s
            FROM generate_series(1, %(size)s) AS g
            """,
            {"op": operator.pk, "size": size, "now": timezone.now()},
        )
        cursor.execute(
            """
            INSERT INTO cep_parcours (operator_id, beneficiary_id, referent_id, entry_level,
                current_level, autonomy, project_maturity, opened_on, closed_on, closing_reason,
                last_contact_on)
            SELECT b.operator_id, b.id,
                CASE WHEN b.id %% 50 = 0 THEN NULL ELSE %(first)s + (b.id %% %(n)s) END,
                1 + b.id %% 3, 1 + b.id %% 3, '', '',
                DATE '2023-11-01' + (b.id %% 1090)::int,
                CASE WHEN b.id %% 4 = 0 THEN DATE '2023-11-01' + (b.id %% 1090)::int + 60 END,
                CASE WHEN b.id %% 4 = 0 THEN 'projet_realise' ELSE '' END,
                DATE '2023-11-01' + (b.id %% 1090)::int + (b.id %% 40)::int
            FROM cep_beneficiary b WHERE b.operator_id = %(op)s
            """,
            {"op": operator.pk, "first": first, "n": n},
        )
        cursor.execute(
            """
            INSERT INTO cep_service (operator_id, parcours_id, level, kind, channel, delivered_on,
                duration_minutes, notes, created_at, counsellor_id)
            SELECT p.operator_id, p.id, p.current_level,
                CASE WHEN s = 1 THEN 'entretien_individuel'
                     ELSE (ARRAY['entretien_individuel','atelier_collectif'])[1 + s %% 2] END,
                (ARRAY['sur_site','telephone','visio','ecrit'])[1 + (p.id + s) %% 4],
                p.opened_on + s * 7, 45, '', %(now)s, COALESCE(p.referent_id, %(first)s)
            FROM cep_parcours p CROSS JOIN generate_series(1, %(per)s) AS s
            WHERE p.operator_id = %(op)s
            """,
            {
                "op": operator.pk,
                "first": first,
                "per": SERVICES_PER_PARCOURS,
                "now": timezone.now(),
            },
        )
        print(f"  {operator.name} : {size} bénéficiaires — {time.perf_counter() - started:.0f} s")
    print(f"Données générées en {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    setup_django_for_pages(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from cep import services
    from cep.managers import services as manager_services
    from cep.models import Membership, Operator, Parcours

    # The bench generates and counts the data of every operator; the pages it measures run in
    # their operator's scope, as in production.
    with scopes_disabled():
        exists = Operator.objects.filter(name="Opérateur bench 00").exists()
        if args.regenerate or not exists:
            if exists:
                sys.exit("Base déjà remplie : recréez-la avant --regenerate.")
            print(f"Génération : {BENEFICIARIES} bénéficiaires, {OPERATORS} opérateurs…")
            with connection.cursor() as cursor, transaction.atomic():
                generate(cursor, Operator, get_user_model(), Membership, services)
            # Outside the transaction: statistics and the visibility map that lets the team
            # view's counts read the indexes alone, as autovacuum would after a while.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        operator = Operator.objects.get(name="Opérateur bench 00")
        manager = Membership.objects.get(operator=operator, role="manager")
        counts = {}
        with connection.cursor() as cursor:
            for label, table in (
                ("bénéficiaires", "cep_beneficiary"),
                ("prestations", "cep_service"),
            ):
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts[label] = cursor.fetchone()[0]
    print(f"Base {connection.settings_dict['NAME']} : {counts}")

    with scope(operator=operator.pk):
        busiest = (
            Parcours.objects.open()
            .values("referent")
            .exclude(referent=None)
            .order_by("referent")
            .first()["referent"]
        )
        counsellor = Membership.objects.get(pk=busiest)
        # Generated in bulk, without the role's permissions: give them to the one measured.
        services.grant_membership(operator=operator, user=counsellor.user, role="conseiller")
    print(
        f"\n{'page':<34} {'requêtes':>8} {'médiane ms':>11} {'p95 ms':>8} "
        f"{'SQL seul ms':>12} {'rapport':>8}  parcours séquentiel"
    )
    pages = [
        ("vue d'équipe (300 conseillers)", manager, "/gestion/equipe/?periode=annee"),
        ("portefeuille d'un conseiller", counsellor, "/beneficiaires/"),
        ("revue du portefeuille (manager)", manager, f"/gestion/equipe/{counsellor.pk}/"),
    ]
    for label, membership, url in pages:
        queries, timings, floor, seq = measure(
            logged_in_client(membership.user, membership), url, args.runs, connection
        )
        median, sql_median = statistics.median(timings), statistics.median(floor)
        print(
            f"{label:<34} {queries:>8} {median:>11.1f} {percentile(timings, 0.95):>8.1f} "
            f"{sql_median:>12.1f} {median / sql_median:>8.2f}  "
            f"{', '.join(sorted(seq)) or 'aucun'}"
        )

    with scope(operator=operator.pk):
        ids = list(Parcours.objects.open().filter(referent=counsellor).values_list("pk", flat=True))
        extra = list(
            Parcours.objects.open()
            .exclude(referent=counsellor)
            .values_list("pk", flat=True)[: max(0, 1000 - len(ids))]
        )
        batch = (ids + extra)[:1000]
        target = Membership.objects.filter(role="conseiller").exclude(pk=counsellor.pk).first()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            with transaction.atomic():
                moved = manager_services.reassign_parcours(
                    membership=manager, parcours_ids=batch, to=target, reason="Bench"
                )
                elapsed = time.perf_counter() - started
                transaction.set_rollback(True)  # leave the data as generated
    print(
        f"\nRéaffectation groupée : {moved} parcours en {elapsed * 1000:.0f} ms, "
        f"{len(captured)} requêtes SQL, une transaction"
    )


if __name__ == "__main__":
    main()
