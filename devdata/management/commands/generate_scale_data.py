"""Fictional data at national scale, loaded with COPY: see cep/scale.py.

    python manage.py generate_scale_data                      # small: 6 operators, 600 people
    python manage.py generate_scale_data --operators 100 --beneficiaries 1000000 \\
        --services 5000000 --seed 2026
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_scopes import scopes_disabled

from devdata.scale import Sizes, generate


class Command(BaseCommand):
    help = "Génère des données fictives à l'échelle nationale (COPY PostgreSQL)."

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--operators", type=int, default=defaults.operators)
        parser.add_argument("--beneficiaries", type=int, default=defaults.beneficiaries)
        parser.add_argument("--services", type=int, default=defaults.services)
        parser.add_argument("--seed", type=int, default=defaults.seed)

    def handle(self, *args, operators, beneficiaries, services, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Le générateur charge les données avec COPY : il faut PostgreSQL.")
        if min(operators, beneficiaries) < 1 or services < 0:
            raise CommandError("Il faut au moins un opérateur et un bénéficiaire.")
        sizes = Sizes(operators, beneficiaries, services, seed)
        started = time.perf_counter()
        # Data for every operator at once: a platform tool, outside any operator's scope.
        with scopes_disabled(), transaction.atomic():
            result = generate(sizes, stdout=self.stdout)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for label, count in sorted(result["counts"].items()):
            self.stdout.write(f"  {label:<32} {count:>10}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Données générées en {elapsed:.0f} s (graine {seed}, empreinte "
                f"{result['digest'][:16]})."
            )
        )
