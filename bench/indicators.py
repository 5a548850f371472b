"""Indicators at national scale: 1 million beneficiaries, 2 million services, 100 operators over
every region, three years of parcours.

    createdb -h 127.0.0.1 -U postgres cepindic
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepindic .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cepindic .venv/bin/python bench/indicators.py

The first run generates the data with INSERT … SELECT generate_series and stores the monthly
snapshots of every closed month (the nightly job's work, timed); later runs reuse both
(--regenerate to start again, --rebuild to store the snapshots again). It prints, for the
national and the regional dashboards (from the snapshots), the consolidation API, and an
operator's dashboard of the current month (computed live from its raw records): SQL queries per
request, server time (median and p95 over --runs, in-process), and the time of the same SQL run
alone (the floor).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPERATORS = 100
BENEFICIARIES = 1_000_000
LARGEST = 100_000
SERVICES_PER_PARCOURS = 2
COUNSELLORS = 20
NAME = "Opérateur indicateurs {:03d}"
KINDS = ["france_travail", "cap_emploi", "apec", "mission_locale", "operateur_regional"]


def generate(cursor, operator_model, user_model, membership_model, services) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from cep.nomenclatures import DEPARTEMENTS, Region

    started = time.perf_counter()
    password = make_password("bench-cep-2026!")
    regions = [code for code, _ in Region.choices]
    departements = {
        region: [code for code, (_, r) in DEPARTEMENTS.items() if r == region] for region in regions
    }
    sizes = [LARGEST] + [(BENEFICIARIES - LARGEST) // (OPERATORS - 1)] * (OPERATORS - 1)
    sizes[-1] += BENEFICIARIES - sum(sizes)
    for index, size in enumerate(sizes):
        region = regions[index % len(regions)]
        operator = operator_model.objects.create(
            name=NAME.format(index), kind=KINDS[index % len(KINDS)], region=region
        )
        users = user_model.objects.bulk_create(
            user_model(username=f"indic-{index:03d}-{n:02d}", password=password)
            for n in range(COUNSELLORS)
        )
        members = membership_model.objects.bulk_create(
            membership_model(user=u, operator=operator, role="conseiller") for u in users
        )
        first = min(m.pk for m in members)
        manager = user_model.objects.create(
            username=f"indic-manager-{index:03d}", password=password
        )
        services.grant_membership(operator=operator, user=manager, role="manager")
        params = {
            "op": operator.pk,
            "size": size,
            "first": first,
            "n": COUNSELLORS,
            "depts": departements[region],
            "per": SERVICES_PER_PARCOURS,
            "now": timezone.now(),  # the one clock, passed to SQL
        }
        cursor.execute(
            """
            INSERT INTO cep_beneficiary (operator_id, first_name, last_name, search_name, sex,
                birth_date, email, phone, postcode, departement, employment_status, pcs_group,
                diploma_level, rqth, qpv_resident, created_at, updated_at)
            SELECT %(op)s, 'Prénom' || g, 'Nom' || g, 'nom' || g || ' prénom' || g,
                CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                DATE '1962-01-01' + (g * 37 %% 15000), '', '', '',
                (%(depts)s::text[])[1 + g %% cardinality(%(depts)s::text[])],
                (ARRAY['de_a','de_b','de_c','salarie_cdi','salarie_cdd','salarie_interim',
                       'agent_titulaire','independant'])[1 + g %% 8],
                (ARRAY['2','3','4','5','6'])[1 + g %% 5],
                (ARRAY['3','4','5','6','7'])[1 + g * 3 %% 5],
                g %% 17 = 0, g %% 9 = 0, %(now)s, %(now)s
            FROM generate_series(1, %(size)s) AS g
            """,
            params,
        )
        # Parcours opened over three years; levels, level dates and closings follow the id.
        cursor.execute(
            """
            INSERT INTO cep_parcours (operator_id, beneficiary_id, referent_id, entry_level,
                current_level, autonomy, project_maturity, opened_on, closed_on, closing_reason,
                last_contact_on, level_2_on, level_3_on)
            SELECT operator_id, id, referent, entry, current, '', '', opened,
                CASE WHEN closes THEN opened + 90 + (id %% 150)::int END,
                CASE WHEN closes
                     THEN (ARRAY['projet_realise','oriente','arret','sans_nouvelles'])[1 + id %% 4]
                     ELSE '' END,
                opened + 10,
                CASE WHEN entry = 2 THEN opened WHEN entry = 1 AND current >= 2 THEN opened + 20
                END,
                CASE WHEN entry = 3 THEN opened WHEN current = 3 THEN opened + 60 END
            FROM (
                SELECT b.operator_id, b.id, %(first)s + (b.id %% %(n)s) AS referent,
                    DATE '2023-12-01' + (b.id * 7919 %% 1090)::int AS opened,
                    CASE WHEN b.id %% 10 < 6 THEN 1 WHEN b.id %% 10 < 9 THEN 2 ELSE 3 END AS entry,
                    CASE WHEN b.id %% 10 < 6 THEN (CASE WHEN b.id %% 3 = 0 THEN 2 ELSE 1 END)
                         WHEN b.id %% 10 < 9 THEN (CASE WHEN b.id %% 4 = 0 THEN 3 ELSE 2 END)
                         ELSE 3 END AS current,
                    b.id %% 3 <> 1 AND DATE '2023-12-01' + (b.id * 7919 %% 1090)::int + 240
                        <= DATE '2026-11-27' AS closes
                FROM cep_beneficiary b WHERE b.operator_id = %(op)s
            ) AS p
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO cep_service (operator_id, parcours_id, level, kind, channel, delivered_on,
                duration_minutes, notes, created_at, counsellor_id)
            SELECT p.operator_id, p.id, p.current_level,
                CASE WHEN s = 1 THEN 'entretien_individuel'
                     ELSE (ARRAY['entretien_individuel','atelier_collectif',
                                 'information_collective','prestation_externe'])[1 + p.id %% 4]
                END,
                (ARRAY['sur_site','telephone','visio','ecrit'])[1 + (p.id + s) %% 4],
                LEAST(p.opened_on + (s - 1) * 25 + (p.id %% 15)::int, DATE '2026-11-27'),
                45, '', %(now)s, p.referent_id
            FROM cep_parcours p CROSS JOIN generate_series(1, %(per)s) AS s
            WHERE p.operator_id = %(op)s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO accueil_intakerequest (operator_id, parcours_id, received_on, channel,
                heard_from, motive, project_type, constraint_family, constraint_health,
                constraint_mobility, constraint_disability, constraints_notes, eligibility_reason,
                received_by_id, suggested_rule_label, outcome, outcome_reason, created_at)
            SELECT p.operator_id, p.id, p.opened_on - (p.id %% 10)::int, 'sur_site', '',
                'Motif de démonstration', '', false, false, false, false, '', 'Personne active.',
                p.referent_id, '', '', '', %(now)s
            FROM cep_parcours p WHERE p.operator_id = %(op)s AND p.entry_level = 1
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO indicateurs_followupsurvey (operator_id, parcours_id, moment, due_on,
                status, sent_at, answered_at, satisfaction, situation_improved, entered_training,
                changed_job, created_business, project_kept, comment)
            SELECT p.operator_id, p.id, m.moment, p.closed_on + m.delay, 'repondue',
                (p.closed_on + m.delay)::timestamptz, (p.closed_on + m.delay + 3)::timestamptz,
                CASE WHEN m.moment = 'fin' THEN 1 + p.id %% 5 END,
                CASE WHEN m.moment = '6_mois' THEN p.id %% 3 = 0 END,
                CASE WHEN m.moment = '6_mois' THEN p.id %% 4 = 0 END,
                CASE WHEN m.moment = '6_mois' THEN p.id %% 5 = 0 END,
                CASE WHEN m.moment = '6_mois' THEN p.id %% 11 = 0 END,
                CASE WHEN m.moment = '6_mois' THEN p.id %% 2 = 0 END, ''
            FROM cep_parcours p
            CROSS JOIN (VALUES ('fin', 0), ('6_mois', 182)) AS m(moment, delay)
            WHERE p.operator_id = %(op)s AND p.closed_on IS NOT NULL AND p.id %% 5 = 0
                AND p.closed_on + m.delay + 3 <= DATE '2026-11-27'
            """,
            params,
        )
        if index % 10 == 0:
            print(f"  {index + 1} opérateurs — {time.perf_counter() - started:.0f} s")
    print(f"Données générées en {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from common import logged_in_client, measure, percentile, setup_django_for_pages

    setup_django_for_pages()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from cep import services
    from cep.models import Coordinator, Membership, Operator
    from indicateurs import services as indicator_services
    from indicateurs.models import SnapshotRun
    from indicateurs.periods import add_months
    from indicateurs.selectors import current_month

    user_model = get_user_model()
    # The bench generates the data of every operator; the pages it measures run in their
    # reader's scope, as in production.
    with scopes_disabled():
        exists = Operator.objects.filter(name=NAME.format(0)).exists()
        if args.regenerate or not exists:
            if exists:
                sys.exit("Base déjà remplie : recréez-la avant --regenerate.")
            print(f"Génération : {BENEFICIARIES} bénéficiaires, {OPERATORS} opérateurs…")
            with connection.cursor() as cursor, transaction.atomic():
                generate(cursor, Operator, user_model, Membership, services)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        counts = {}
        with connection.cursor() as cursor:
            for label, table in (
                ("bénéficiaires", "cep_beneficiary"),
                ("parcours", "cep_parcours"),
                ("prestations", "cep_service"),
            ):
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts[label] = cursor.fetchone()[0]
        print(f"Base {connection.settings_dict['NAME']} : {counts}")

        latest = add_months(current_month(), -1)
        months = [add_months(latest, -n) for n in reversed(range(36))]
        if args.rebuild or not SnapshotRun.objects.filter(month=latest).exists():
            started = time.perf_counter()
            runs = [indicator_services.rebuild_month(month=month) for month in months]
            elapsed = time.perf_counter() - started
            durations = [run.duration_ms for run in runs]
            print(
                f"Consolidation de {len(runs)} mois : {elapsed:.0f} s "
                f"(médiane {statistics.median(durations):.0f} ms par mois, "
                f"max {max(durations)} ms), {sum(r.figures for r in runs)} chiffres stockés"
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE indicateurs_monthlyfigure")
        largest = Operator.objects.get(name=NAME.format(0))
        manager = Membership.objects.get(operator=largest, role="manager")
        readers = {}
        for username, level, region in (
            ("indic-coord-nation", "nation", ""),
            ("indic-coord-region", "region", largest.region),
        ):
            user, _ = user_model.objects.get_or_create(username=username)
            readers[level] = services.appoint_coordinator(user=user, level=level, region=region)

    year = f"periode=personnalise&du={add_months(latest, -11):%Y-%m}&au={latest:%Y-%m}"
    month = f"periode=mois&mois={latest:%Y-%m}"
    current = f"periode=mois&mois={current_month():%Y-%m}"
    pages = [
        ("national, 12 mois (consolidé)", readers["nation"], f"/indicateurs/?{year}"),
        ("national, un mois (consolidé)", readers["nation"], f"/indicateurs/?{month}"),
        ("API nationale, 12 mois", readers["nation"], f"/api/v1/indicateurs/?{year}"),
        ("régional, 12 mois (consolidé)", readers["region"], f"/indicateurs/?{year}"),
        ("opérateur, mois en cours (direct)", manager, f"/indicateurs/?{current}"),
        ("opérateur, 12 mois (consolidé)", manager, f"/indicateurs/?{year}"),
    ]
    assert isinstance(readers["nation"], Coordinator)
    print(
        f"\n{'page':<36} {'requêtes':>8} {'médiane ms':>11} {'p95 ms':>8} "
        f"{'SQL seul ms':>12} {'rapport':>8}"
    )
    for label, reader, url in pages:
        queries, timings, floor, _ = measure(
            logged_in_client(reader.user, reader if isinstance(reader, Membership) else None),
            url,
            args.runs,
            connection,
        )
        median, sql_median = statistics.median(timings), statistics.median(floor)
        print(
            f"{label:<36} {queries:>8} {median:>11.1f} {percentile(timings, 0.95):>8.1f} "
            f"{sql_median:>12.1f} {median / sql_median:>8.2f}"
        )


if __name__ == "__main__":
    main()
