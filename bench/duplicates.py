"""One file per person at scale: the duplicate check at intake, the likely-duplicates list of an
operator, and the merge of two files with 200 services each.

Run against the scale data (README, Performance), on the operator with the most files:
    DATABASE_URL=postgres://…/cepscale .venv/bin/python bench/duplicates.py [--runs 200]

Prints, for the intake check, the median and 95th percentile of `runs` lookups of existing
people typed with a typo in the last name (each should find its file) and of new people (none),
with the number of queries and the plan of the lookup's query (the trigram index); for the list,
its time and number of pairs; for the merge, its queries (the goal: at most 10 plus one per
table holding references to a person) and time. The two files merged are made for the bench
and deleted after it; their audit events stay (the trail is append-only).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def typo(name: str, rng: random.Random) -> str:
    """One letter doubled: "Lemoine" → "Lemoinne"."""
    i = rng.randrange(1, len(name)) if len(name) > 1 else 0
    return name[:i] + name[i - 1 : i] + name[i:] if i else name + name[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cep.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from cep import services as core
    from cep.duplicates import matching, selectors
    from cep.duplicates import services as duplicates
    from cep.models import Beneficiary, Membership, Parcours, Service

    with scopes_disabled():
        biggest = (
            Beneficiary.objects.values("operator_id").annotate(n=Count("pk")).order_by("-n").first()
        )
    if biggest is None:
        sys.exit("Aucune donnée : lancez d'abord manage.py generate_scale_data.")
    operator_id, size = biggest["operator_id"], biggest["n"]
    rng = random.Random(2026)
    print(
        f"Opérateur {operator_id} : {size:,} dossiers ({connection.settings_dict['NAME']}, "
        f"rôle {connection.settings_dict['USER']})".replace(",", " ")
    )
    with scope(operator=operator_id):
        sample = list(
            Beneficiary.objects.filter(merged_into__isnull=True)
            .order_by("?")
            .only("first_name", "last_name", "birth_date", "email", "phone")[: args.runs]
        )
        # Intake check: an existing person typed with a typo, then someone new.
        typed = [
            matching.PersonKeys.of(
                operator_id=operator_id,
                first_name=b.first_name,
                last_name=typo(b.last_name, rng),
                birth_date=b.birth_date,
            )
            for b in sample
        ]
        new = [
            matching.PersonKeys.of(
                operator_id=operator_id,
                first_name=f"Zéphyrin{n}",
                last_name=f"Quintal{n}",
                birth_date=b.birth_date,
                email=f"nouveau.{n}@exemple.invalid",
                phone=f"06 99 {n % 100:02d} {n // 100 % 100:02d} 00",
            )
            for n, b in enumerate(sample)
        ]
        for label, people, expect in (
            ("personne existante, nom avec une faute", typed, True),
            ("personne nouvelle (nom, courriel, téléphone)", new, False),
        ):
            matching.candidates(people[0])  # warm
            timings, found = [], 0
            for keys in people:
                started = time.perf_counter()
                hits = matching.candidates(keys)
                timings.append((time.perf_counter() - started) * 1000)
                found += bool(hits)
            with CaptureQueriesContext(connection) as captured:
                matching.candidates(people[0])
            print(
                f"Contrôle à l'accueil — {label} : {len(captured.captured_queries)} requête(s), "
                f"médiane {statistics.median(timings):.2f} ms, p95 {percentile(timings, 0.95):.2f}"
                f" ms ({len(people)} essais ; {found} avec un dossier proposé"
                f"{', attendu : tous' if expect else ', attendu : aucun'})"
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'cep_duplicate_candidates'")
            body = cursor.fetchone()[0]
            keys = typed[0]
            cursor.execute(
                "PREPARE dup(bigint, text, date, text, text, real, integer, text) AS " + body
            )
            cursor.execute(
                "EXPLAIN EXECUTE dup(%s, %s, %s, %s, %s, %s, 11, %s)",
                [
                    operator_id,
                    keys.search_name,
                    keys.birth_date,
                    "x@exemple.fr",
                    "+33699000000",
                    matching.NAME_SIMILARITY,
                    "9999999Z",
                ],
            )
            plan = [row[0] for row in cursor.fetchall()]
            cursor.execute("DEALLOCATE dup")
        used = sorted(
            {
                word
                for line in plan
                for word in line.split()
                if word.endswith("_idx") or word.endswith("_trgm")
            }
        )
        print(f"  plan de la recherche : index {', '.join(used)}")

        # The managers' list, computed on the fly.
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            pairs = selectors.likely_duplicates(operator_id=operator_id)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"Liste des doublons probables : {len(pairs)} paires affichées (au plus "
            f"{selectors.PAIRS_SHOWN}), médiane {statistics.median(timings):.0f} ms sur 3"
        )

        # The merge of two files with 200 services each.
        manager = (
            Membership.objects.filter(is_active=True, role=Membership.Role.MANAGER).first()
            or Membership.objects.filter(is_active=True).first()
        )
        counsellor = Membership.objects.filter(is_active=True).first()
        today = timezone.localdate()
        files = []
        for first_name in ("Banc", "Bancs"):
            person = core.create_beneficiary(
                membership=counsellor,
                first_name=first_name,
                last_name="Fusion",
                sex="F",
                birth_date=today.replace(year=today.year - 40),
                departement="69",
                employment_status="salarie_cdi",
                entry_level=2,
                opened_on=today - timedelta(days=300),
                confirm_distinct=True,
            )
            parcours = Parcours.objects.get(beneficiary=person)
            Service.objects.bulk_create(
                Service(
                    operator_id=operator_id,
                    parcours=parcours,
                    level=2,
                    kind=Service.Kind.INDIVIDUAL_INTERVIEW,
                    channel=Service.Channel.ON_SITE,
                    delivered_on=today - timedelta(days=n),
                    duration_minutes=45,
                    counsellor=counsellor,
                )
                for n in range(200)
            )
            files.append(person)
        Parcours.objects.filter(beneficiary=files[1]).update(
            closed_on=today, closing_reason=Parcours.ClosingReason.COMPLETED
        )
        tables = len(duplicates.moved_relations())
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            duplicates.merge_beneficiaries(membership=manager, kept=files[0], merged=files[1])
            elapsed = (time.perf_counter() - started) * 1000
        moved = Service.objects.filter(parcours__beneficiary=files[0]).count()
        print(
            f"Fusion de deux dossiers de 200 prestations : {len(captured.captured_queries)} "
            f"requêtes (objectif ≤ 10 + {tables} tables = {10 + tables}), {elapsed:.0f} ms ; "
            f"{moved} prestations dans le dossier conservé"
        )
    with scopes_disabled():
        Beneficiary.objects.filter(pk=files[1].pk).delete()
        Beneficiary.objects.filter(pk=files[0].pk).delete()


if __name__ == "__main__":
    main()
