"""Reads of the indicators: who sees which operators, and the figures of a period.

The figures of a month come from the stored snapshot when the month has one, and are computed
live from the raw records otherwise (the current month, or a month not consolidated yet). Both
go through the same facts (``indicateurs.facts``) and one aggregation query, so a stored month
and a live one are added up the same way.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone

from cep.core_facts import PEOPLE_CODE
from cep.facts import month_index_sql
from cep.models import Coordinator
from cep.nomenclatures import Region
from cep.roles import REVIEW_CASELOAD
from indicateurs.facts import AREA_COLUMNS, COLUMNS, DISTRIBUTION_CODES, MonthRange, facts_sql
from indicateurs.models import AreaMonthlyFigure, SnapshotRun
from indicateurs.periods import Period, add_months, month_index, month_of


@dataclass(frozen=True)
class IndicatorScope:
    """The operators whose figures a reader sees. ``masked``: statistical secrecy applies (every
    reader outside the operator); an operator's own managers hold the records themselves."""

    kind: str  # "operateur", "region" or "nation"
    label: str
    operator_ids: tuple[int, ...]
    masked: bool
    latest_month: date  # the last month this reader may see
    region: str = ""

    @property
    def is_coordination(self) -> bool:
        return self.kind != "operateur"


def current_month() -> date:
    return month_of(timezone.localdate())


def indicator_scope(request) -> IndicatorScope | None:
    """None: this reader sees no indicator (the page answers 404)."""
    membership = getattr(request, "membership", None)
    if membership is not None:
        if REVIEW_CASELOAD not in request.operator_permissions:
            return None
        return IndicatorScope(
            kind="operateur",
            label=membership.operator.name,
            operator_ids=(membership.operator_id,),
            masked=False,
            latest_month=current_month(),
        )
    coordinator: Coordinator | None = getattr(request, "coordinator", None)
    if coordinator is None:
        return None
    return coordination_scope(coordinator, request.coordinator_operator_ids)


def coordination_scope(coordinator: Coordinator, operator_ids: list[int] | None = None):
    if coordinator.level == Coordinator.Level.REGION:
        label = Region(coordinator.region).label
    else:
        label = "France entière"
    # Coordinators see closed months only: a month is published once it is over.
    return IndicatorScope(
        kind=coordinator.level,
        label=label,
        operator_ids=tuple(
            operator_ids if operator_ids is not None else coordinator.operator_ids()
        ),
        masked=True,
        latest_month=add_months(current_month(), -1),
        region=coordinator.region,
    )


Key = tuple[str, str, str]  # code, breakdown, key


@dataclass
class Cells:
    """Figures summed over a set of months and operators, by (code, breakdown, key), each with
    its buckets (a distribution, or 0)."""

    values: dict[Key, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, code: str, breakdown: str, key: str, bucket: int, value: int) -> None:
        buckets = self.values[(code, breakdown, key)]
        buckets[bucket] = buckets.get(bucket, 0) + value

    def count(self, code: str, breakdown: str = "", key: str = "") -> int:
        return sum(self.values.get((code, breakdown, key), {}).values())

    def distribution(self, code: str, breakdown: str = "", key: str = "") -> dict[int, int]:
        return dict(self.values.get((code, breakdown, key), {}))

    def keys(self, code: str, breakdown: str) -> dict[str, int]:
        return {
            key: sum(buckets.values())
            for (c, b, key), buckets in self.values.items()
            if c == code and b == breakdown
        }


@dataclass
class Figures:
    period: Period
    current: Cells
    previous: Cells
    by_month: dict[date, Cells]
    by_operator: dict[int, Cells]


def contiguous_ranges(months: list[date]) -> list[MonthRange]:
    ranges: list[MonthRange] = []
    for month in sorted(months):
        if ranges and ranges[-1].end == month:
            ranges[-1] = MonthRange(ranges[-1].start, add_months(month, 1))
        else:
            ranges.append(MonthRange(month, add_months(month, 1)))
    return ranges


def source_sql(scope: IndicatorScope, months: list[date]) -> tuple[str, dict, bool]:
    """Stored months from the snapshot, the others computed live. A region or the nation reads
    the rows added up for it when every month is stored (``True`` is then returned), else every
    operator's."""
    operator_ids = list(scope.operator_ids)
    stored = set(SnapshotRun.objects.filter(month__in=months).values_list("month", flat=True))
    params: dict = {"ops": operator_ids, "stored": sorted(stored)}
    operator_rows = (
        f"SELECT {COLUMNS} FROM indicateurs_monthlyfigure "
        "WHERE operator_id = ANY(%(ops)s) AND month = ANY(%(stored)s)"
    )
    if scope.is_coordination and stored == set(months):
        params["area"] = scope.region or AreaMonthlyFigure.NATION
        area_rows = (
            f"SELECT 0 AS operator_id, {AREA_COLUMNS.replace('area, ', '')} "
            "FROM indicateurs_areamonthlyfigure WHERE area = %(area)s AND month = ANY(%(stored)s)"
        )
        return area_rows, params, True
    parts = [operator_rows]
    for number, months_range in enumerate(
        contiguous_ranges([m for m in months if m not in stored])
    ):
        sql, live_params = facts_sql(operator_ids, months_range)
        for name in ("start", "end"):
            sql = sql.replace(f"%({name})s", f"%({name}_{number})s")
            params[f"{name}_{number}"] = live_params[name]
        params["tz"] = live_params["tz"]
        parts.append(sql)
    return "\nUNION ALL\n".join(parts), params, False


HEADLINE_ROWS = (
    f"breakdown = '' AND code NOT IN ({', '.join(repr(c) for c in sorted(DISTRIBUTION_CODES))})"
)


def _in_period(prefix: str) -> str:
    """Rows of a period; a person counts in the first month of the period where they appear."""
    return (
        f"month >= %({prefix}_start)s AND month < %({prefix}_end)s AND (code <> '{PEOPLE_CODE}' "
        f"OR bucket > {month_index_sql('month')} - %({prefix}_index)s)"
    )


COLLAPSED_BUCKET = f"CASE WHEN code IN ({', '.join(repr(c) for c in sorted(DISTRIBUTION_CODES))})"
COLLAPSED_BUCKET += " THEN bucket ELSE 0 END"


def period_figures(scope: IndicatorScope, period: Period, *, by_operator: bool = True) -> Figures:
    """Every figure of the period and of the previous one, month by month, and by operator: one
    query."""
    previous = period.previous()
    months = previous.months + period.months
    source, params, by_area = source_sql(scope, months)
    for prefix, chosen in (("p", period), ("q", previous)):
        params[f"{prefix}_start"] = chosen.start
        params[f"{prefix}_end"] = chosen.end
        # SQL months count from year * 12 + month (1-based); Python's index is 0-based.
        params[f"{prefix}_index"] = month_index(chosen.first) + 1
    operator_part, operator_source = "", ""
    if by_operator:
        # Area rows know no operator: the table by operator reads the operators' headline rows.
        if by_area:
            operator_source = (
                ", o AS (SELECT * FROM indicateurs_monthlyfigure WHERE operator_id = ANY(%(ops)s) "
                f"AND month >= %(p_start)s AND month < %(p_end)s AND {HEADLINE_ROWS})"
            )
        operator_part = f"""
        UNION ALL
        SELECT 'operateur', NULL::date, operator_id, code, breakdown, key, 0, sum(value)::bigint
        FROM {"o" if by_area else "f"} WHERE {_in_period("p")} AND {HEADLINE_ROWS}
        GROUP BY operator_id, code, breakdown, key"""
    sql = f"""
    WITH f AS MATERIALIZED ({source}){operator_source}
    SELECT 'periode' AS part, NULL::date AS month, NULL::int AS operator_id, code, breakdown,
        key, {COLLAPSED_BUCKET} AS bucket, sum(value)::bigint
    FROM f WHERE {_in_period("p")}
    GROUP BY code, breakdown, key, 7
    UNION ALL
    SELECT 'precedente', NULL::date, NULL::int, code, breakdown, key, {COLLAPSED_BUCKET},
        sum(value)::bigint
    FROM f WHERE {_in_period("q")}
    GROUP BY code, breakdown, key, 7
    UNION ALL
    SELECT 'mois', month, NULL::int, code, breakdown, key, 0, sum(value)::bigint
    FROM f WHERE breakdown = ''
    GROUP BY month, code, breakdown, key
    {operator_part}
    """
    current, before = Cells(), Cells()
    by_month: dict[date, Cells] = {month: Cells() for month in months}
    operators: dict[int, Cells] = {pk: Cells() for pk in scope.operator_ids} if by_operator else {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, month, operator_id, code, breakdown, key, bucket, value in cursor.fetchall():
            if part == "periode":
                current.add(code, breakdown, key, bucket, value)
            elif part == "precedente":
                before.add(code, breakdown, key, bucket, value)
            elif part == "mois":
                by_month[month].add(code, breakdown, key, 0, value)
            else:
                operators[operator_id].add(code, breakdown, key, 0, value)
    return Figures(period, current, before, by_month, operators)
