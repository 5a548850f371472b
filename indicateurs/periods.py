"""Periods of the indicators: whole months (a month, a quarter, a year, or a range of months).

A period runs from the first day of its first month, included, to the first day of the month
after its last month, excluded. The previous period is the one of the same length just before.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from dsfr.forms import DsfrBaseForm

from indicateurs.facts import MonthRange

MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
SHORT_MONTH_NAMES = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
MAX_MONTHS = 36


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def add_months(day: date, count: int) -> date:
    return month_from_index(month_index(day) + count)


def month_label(day: date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def short_month_label(day: date) -> str:
    return f"{SHORT_MONTH_NAMES[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Period:
    first: date  # first day of the first month
    last: date  # first day of the last month
    kind: str = "personnalise"

    @property
    def start(self) -> date:
        return self.first

    @property
    def end(self) -> date:
        return add_months(self.last, 1)

    @property
    def range(self) -> MonthRange:
        return MonthRange(self.start, self.end)

    @property
    def length(self) -> int:
        return month_index(self.last) - month_index(self.first) + 1

    @property
    def months(self) -> list[date]:
        return [add_months(self.first, n) for n in range(self.length)]

    def previous(self) -> "Period":
        return Period(
            add_months(self.first, -self.length), add_months(self.first, -1), kind=self.kind
        )

    def contains(self, month: date) -> bool:
        return self.first <= month <= self.last

    @property
    def label(self) -> str:
        if self.kind == "trimestre":
            quarter = (self.first.month - 1) // 3 + 1
            return f"{quarter}{'ᵉʳ' if quarter == 1 else 'ᵉ'} trimestre {self.first.year}"
        if self.kind == "annee":
            return f"année {self.first.year}"
        if self.length == 1:
            return month_label(self.first)
        return f"de {month_label(self.first)} à {month_label(self.last)}"

    def query(self) -> dict[str, str]:
        """The GET parameters that select this period again (links, exports)."""
        if self.kind == "mois":
            return {"periode": "mois", "mois": f"{self.first:%Y-%m}"}
        if self.kind == "trimestre":
            quarter = (self.first.month - 1) // 3 + 1
            return {"periode": "trimestre", "annee": str(self.first.year), "trimestre": quarter}
        if self.kind == "annee":
            return {"periode": "annee", "annee": str(self.first.year)}
        return {"periode": "personnalise", "du": f"{self.first:%Y-%m}", "au": f"{self.last:%Y-%m}"}


def month_of(day: date) -> date:
    return day.replace(day=1)


class MonthField(forms.CharField):
    """A month as the browser's month input sends it: YYYY-MM."""

    default_error_messages = {
        "invalid": "Saisissez un mois au format AAAA-MM, par exemple 2026-03."
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except (ValueError, TypeError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class PeriodForm(DsfrBaseForm):
    KINDS = [
        ("mois", "Un mois"),
        ("trimestre", "Un trimestre"),
        ("annee", "Une année"),
        ("personnalise", "De mois en mois"),
    ]
    periode = forms.ChoiceField(
        label="Période",
        choices=KINDS,
        error_messages={"invalid_choice": "Choisissez une période dans la liste."},
    )
    mois = MonthField(label="Mois", required=False, help_text="Format : AAAA-MM")
    annee = forms.IntegerField(
        label="Année",
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "Saisissez une année en chiffres, par exemple 2026.",
            "min_value": "Choisissez une année à partir de 2000.",
            "max_value": "Choisissez une année avant 2100.",
        },
    )
    trimestre = forms.TypedChoiceField(
        label="Trimestre",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "1ᵉʳ trimestre"), (2, "2ᵉ"), (3, "3ᵉ"), (4, "4ᵉ")],
        error_messages={"invalid_choice": "Choisissez un trimestre de 1 à 4."},
    )
    du = MonthField(label="Du mois", required=False, help_text="Format : AAAA-MM")
    au = MonthField(label="Au mois (inclus)", required=False, help_text="Format : AAAA-MM")

    def __init__(self, *args, latest: date, **kwargs):
        # ``latest``: the last month this reader may see (the current month for an operator,
        # the last closed month for a coordinator).
        self.latest = latest
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        kind = data.get("periode")
        if kind is None or self.errors:
            return data
        required = {
            "mois": ["mois"],
            "trimestre": ["annee", "trimestre"],
            "annee": ["annee"],
            "personnalise": ["du", "au"],
        }[kind]
        missing = [name for name in required if data.get(name) in (None, "")]
        for name in missing:
            self.add_error(name, "Ce champ est nécessaire pour cette période.")
        if missing:
            return data
        if kind == "mois":
            period = Period(data["mois"], data["mois"], kind)
        elif kind == "trimestre":
            first = date(data["annee"], 3 * (data["trimestre"] - 1) + 1, 1)
            period = Period(first, add_months(first, 2), kind)
        elif kind == "annee":
            period = Period(date(data["annee"], 1, 1), date(data["annee"], 12, 1), kind)
        else:
            if data["au"] < data["du"]:
                self.add_error("au", "Le mois de fin doit suivre le mois de début.")
                return data
            period = Period(data["du"], data["au"], kind)
            if period.length > MAX_MONTHS:
                self.add_error("au", f"Choisissez au plus {MAX_MONTHS} mois.")
                return data
        if period.first > self.latest:
            field = {"mois": "mois", "trimestre": "trimestre", "annee": "annee"}.get(kind, "du")
            self.add_error(
                field,
                f"Les chiffres vont jusqu'à {month_label(self.latest)} : "
                "choisissez une période qui commence avant.",
            )
            return data
        # A period that runs past the latest month stops there (the current year so far).
        if period.last > self.latest:
            period = Period(period.first, self.latest, kind)
        data["period"] = period
        return data
