"""The header search at scale (issue 21): ≤ 50 ms at 100,000 beneficiaries per operator.

Run against the scale data (README, Performance), on the operator with the most files:
    DATABASE_URL=postgres://…/cepscale .venv/bin/python bench/search.py [--runs 50]

For each kind of query, typed from files drawn at random (a full name, a last name with a typo,
an e-mail in capitals, a phone typed three ways, a France Travail identifier, a file number, a
name nobody has): the median and 95th percentile of the search alone (cep.search.selectors,
every group) and of the whole page `/recherche/?q=…` in-process, its number of queries, the
share of runs that found the file, and whether a query read cep_beneficiary sequentially.
"""

import argparse
import random
import statistics
import sys
import time
from urllib.parse import urlencode

from common import (
    largest_operator_and_busiest_counsellor,
    logged_in_client,
    measure,
    percentile,
    setup_django_for_pages,
)


def typo(name: str, rng: random.Random) -> str:
    """One letter dropped inside the name: "Lemoine" → "Lemine"."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    setup_django_for_pages()
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from cep.models import Beneficiary
    from cep.search import selectors

    with scopes_disabled():
        operator, counsellor = largest_operator_and_busiest_counsellor()
        if operator is None:
            sys.exit("Aucune donnée : lancez d'abord manage.py generate_scale_data.")
        size = Beneficiary.objects.filter(operator=operator, merged_into=None).count()
    print(f"Opérateur {operator.pk} : {size:,} dossiers".replace(",", " "))
    rng = random.Random(2026)
    with scope(operator=operator.pk):
        sample = list(
            Beneficiary.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
            .order_by("?")
            .only("first_name", "last_name", "email", "phone_e164", "france_travail_id")[
                : args.runs * 4
            ]
        )
    with_email = [b for b in sample if b.email][: args.runs]
    with_phone = [b for b in sample if b.phone_e164][: args.runs]
    with_ft = [b for b in sample if b.france_travail_id][: args.runs]
    people = sample[: args.runs]

    def national(e164: str) -> str:
        digits = "0" + e164[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))

    kinds = [
        # The generated names repeat (about 80 files share each full name): a name is found when
        # a file of that name is among the first 10, not necessarily the one drawn.
        ("nom et prénom", [(f"{b.first_name} {b.last_name}", b.full_name) for b in people]),
        (
            "nom avec une faute, et le prénom",
            [(f"{typo(b.last_name, rng)} {b.first_name}", b.full_name) for b in people],
        ),
        ("nom seul, avec une faute", [(typo(b.last_name, rng), b.last_name) for b in people]),
        ("adresse électronique en capitales", [(b.email.upper(), b.pk) for b in with_email]),
        ("téléphone « 06 12 34 56 78 »", [(national(b.phone_e164), b.pk) for b in with_phone]),
        ("téléphone « +33 6… »", [(b.phone_e164, b.pk) for b in with_phone]),
        (
            "téléphone « 06.12.34.56.78 »",
            [(national(b.phone_e164).replace(" ", "."), b.pk) for b in with_phone],
        ),
        ("identifiant France Travail", [(b.france_travail_id.lower(), b.pk) for b in with_ft]),
        ("numéro de dossier", [(str(b.pk), b.pk) for b in people]),
        ("nom que personne ne porte", [(f"Zéphyrin Quintalbert{n}", None) for n in range(20)]),
    ]
    client = logged_in_client(counsellor.user, counsellor)
    print(
        "| Recherche | Requêtes (page) | Recherche seule, médiane | p95 | Page, médiane | p95 |"
        " Trouvé | Lecture séquentielle |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, typed in kinds:
        if not typed:
            print(f"| {label} | aucun dossier de l'échantillon n'en a | | | | | | |")
            continue
        timings, found = [], 0
        with scope(operator=operator.pk):
            selectors.search(membership=counsellor, text=typed[0][0])  # warm
            for text, pk in typed:
                started = time.perf_counter()
                results = selectors.search(membership=counsellor, text=text)
                timings.append((time.perf_counter() - started) * 1000)
                hits = results.groups[0].hits if results.groups else []
                if pk is None:
                    found += not hits
                elif isinstance(pk, str):
                    found += any(pk in hit.label for hit in hits[:10])
                else:
                    found += any(hit.url.rstrip("/").endswith(f"/{pk}") for hit in hits[:10])
        url = "/recherche/?" + urlencode({"q": typed[0][0]})
        with scope(operator=operator.pk):  # the SQL re-run alone needs the scope too
            queries, page, _floor, seq_scans = measure(client, url, min(args.runs, 20), connection)
        print(
            f"| {label} | {queries} | {statistics.median(timings):.1f} ms | "
            f"{percentile(timings, 0.95):.1f} ms | {statistics.median(page):.1f} ms | "
            f"{percentile(page, 0.95):.1f} ms | {found}/{len(typed)} | "
            f"{', '.join(sorted(seq_scans)) or 'aucune'} |"
        )


if __name__ == "__main__":
    main()
