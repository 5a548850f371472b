"""Store (again) the monthly indicator snapshots: one month, a range, or the last N months.

python manage.py rebuild_indicators --month 2026-03
python manage.py rebuild_indicators --from 2025-01 --to 2026-10
python manage.py rebuild_indicators --last 18
"""

from django.core.management.base import BaseCommand, CommandError

from indicateurs import services
from indicateurs.periods import MonthField, add_months, month_label
from indicateurs.selectors import current_month


class Command(BaseCommand):
    help = "Recalcule les chiffres mensuels consolidés des indicateurs (mois terminés)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="un mois, AAAA-MM")
        parser.add_argument("--from", dest="first", help="premier mois, AAAA-MM")
        parser.add_argument("--to", dest="until", help="dernier mois inclus, AAAA-MM")
        parser.add_argument("--last", dest="recent", type=int, help="les N derniers mois terminés")

    def handle(self, *args, month=None, first=None, until=None, recent=None, **options):
        latest = add_months(current_month(), -1)
        if recent:
            months = [add_months(latest, -n) for n in reversed(range(recent))]
        else:
            try:
                start = MonthField().clean(month or first)
                end = MonthField().clean(month or until) if (month or until) else latest
            except Exception as error:
                raise CommandError(
                    "Indiquez --month, --from/--to (AAAA-MM) ou --last N."
                ) from error
            if start is None or end < start:
                raise CommandError("Indiquez --month, --from/--to (AAAA-MM) ou --last N.")
            months, current = [], start
            while current <= min(end, latest):
                months.append(current)
                current = add_months(current, 1)
        for chosen in months:
            run = services.rebuild_month(month=chosen)
            self.stdout.write(
                f"{month_label(chosen)} : {run.figures} chiffres en {run.duration_ms} ms"
            )
