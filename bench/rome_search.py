"""Time the ROME searches: median and p95 of 200 runs per query, for jobs and skills.

Run against a database where `manage.py import_rome` ran:
    DJANGO_SETTINGS_MODULE=cep.settings DATABASE_URL=postgres://…/base \\
        .venv/bin/python bench/rome_search.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

RUNS = 200
JOB_QUERIES = ["electricien", "aide-soignant", "developpeur", "manoeuvre", "chef de projet", "ag"]
SKILL_QUERIES = ["soudage", "accueillir", "relation client", "cuisine", "gestion de projet", "ex"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench(label: str, search, queries: list[str]) -> None:
    print(f"\n{label} ({RUNS} recherches par requête, limite 20)")
    print(f"{'requête':<20} {'résultats':>9} {'médiane ms':>11} {'p95 ms':>8}")
    for query in queries:
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            hits = search(query)
            timings.append((time.perf_counter() - started) * 1000)
        median, p95 = statistics.median(timings), percentile(timings, 0.95)
        print(f"{query:<20} {len(hits):>9} {median:>11.2f} {p95:>8.2f}")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cep.settings")
    import django

    django.setup()
    from django.db import connection

    from cep.referentials.models import RomeAppellation, RomeSkill
    from cep.referentials.rome import current_release, search_jobs, search_skills

    release = current_release()
    if release is None:
        sys.exit("Aucune version du ROME dans cette base : lancez d'abord manage.py import_rome.")
    print(
        f"ROME {release.version} sur {connection.vendor} ({connection.settings_dict['NAME']}) : "
        f"{RomeAppellation.objects.count()} appellations, {RomeSkill.objects.count()} compétences"
    )
    bench("Métiers (appellations)", search_jobs, JOB_QUERIES)
    bench("Compétences et savoirs", search_skills, SKILL_QUERIES)


if __name__ == "__main__":
    main()
