"""The managers' team view: one row per counsellor, one column per figure, in ONE query.

Each figure is an expression evaluated on the Membership queryset (a correlated subquery keyed on
the counsellor), so a 300-counsellor operator costs the same single query as a 3-counsellor one.
The core defines its own figures; the level apps register theirs (overdue actions, agreed plans,
syntheses delivered) in AppConfig.ready(), so the core imports none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from cep.models import Parcours, Service
from cep.selectors import stale_filter


@dataclass(frozen=True)
class Period:
    """Inclusive start, exclusive end."""

    start: date
    end: date


@dataclass(frozen=True)
class TeamFigure:
    key: str
    label: str
    order: int
    expression: Callable[[Period, date], Expression]  # (period, today) -> expression on Membership
    unit: str = ""


@dataclass(frozen=True)
class ParcoursColumn:
    """A column of a counsellor's caseload review: an expression on the Parcours queryset."""

    key: str
    label: str
    expression: Callable[[date], Expression]


_figures: dict[str, TeamFigure] = {}
_parcours_columns: dict[str, ParcoursColumn] = {}


def register_parcours_column(column: ParcoursColumn) -> None:
    _parcours_columns[column.key] = column


def parcours_columns() -> list[ParcoursColumn]:
    return list(_parcours_columns.values())


def in_days(value):
    """A figure as shown and exported: a duration (the median delay) in whole days."""
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400)
    return value


def register_team_figure(figure: TeamFigure) -> None:
    _figures[figure.key] = figure


def team_figures() -> list[TeamFigure]:
    return sorted(_figures.values(), key=lambda f: (f.order, f.key))


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, not the mean."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def count_of(queryset, *, over: str = "referent") -> Expression:
    """How many rows of `queryset` belong to the counsellor of the row (correlated on `over`)."""
    counted = (
        queryset.filter(**{over: OuterRef("pk")})
        .order_by()
        .values(over)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _open_at(level: int):
    return lambda period, today: count_of(Parcours.objects.open().filter(current_level=level))


def _new(period: Period, today: date):
    return count_of(Parcours.objects.filter(opened_on__gte=period.start, opened_on__lt=period.end))


def _closed(period: Period, today: date):
    return count_of(Parcours.objects.filter(closed_on__gte=period.start, closed_on__lt=period.end))


def _stale(period: Period, today: date):
    return count_of(Parcours.objects.filter(stale_filter(today)))


def _median_first_interview(period: Period, today: date):
    """Days from the opening of the parcours (the day of the request) to the first individual
    interview, for the parcours opened in the period that had one."""
    first_interview = (
        Service.objects.filter(parcours=OuterRef("pk"), kind=Service.Kind.INDIVIDUAL_INTERVIEW)
        .order_by()
        .values("parcours")
        .annotate(first=Min("delivered_on"))
        .values("first")
    )
    delays = (
        Parcours.objects.filter(
            referent=OuterRef("pk"), opened_on__gte=period.start, opened_on__lt=period.end
        )
        # No filter on "first": percentile_cont skips the NULLs (no interview yet) by itself,
        # and a filter would run the subquery twice per parcours.
        .annotate(first=Subquery(first_interview))
        .order_by()
        .values("referent")
        .annotate(
            median=Median(
                ExpressionWrapper(F("first") - F("opened_on"), output_field=DurationField())
            )
        )
        .values("median")
    )
    return Subquery(delays, output_field=DurationField())


def register_core_figures() -> None:
    for level in (1, 2, 3):
        register_team_figure(
            TeamFigure(
                f"open_level_{level}", f"Parcours en cours, niveau {level}", level, _open_at(level)
            )
        )
    register_team_figure(TeamFigure("new", "Nouveaux parcours sur la période", 10, _new))
    register_team_figure(TeamFigure("closed", "Parcours clos sur la période", 11, _closed))
    register_team_figure(
        TeamFigure("stale", "Parcours sans prestation depuis longtemps", 20, _stale)
    )
    register_team_figure(
        TeamFigure(
            "median_first_interview",
            "Délai médian jusqu'au premier entretien",
            60,
            _median_first_interview,
            unit="jours",
        )
    )
