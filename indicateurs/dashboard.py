"""The dashboard of a scope and a period, as tables ready to show, chart and export.

Every table is published through statistical secrecy when the scope asks for it: small counts
are masked, then other cells so that the total cannot give a masked one back (``secrecy``).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify

from cep.exports import ExportTable
from cep.models import Operator
from cep.nomenclatures import Region
from indicateurs.charts import Series, bar_chart, format_number
from indicateurs.periods import Period, short_month_label
from indicateurs.registry import HEADLINE, INDICATORS, THEMES, Indicator, Measure, definitions
from indicateurs.secrecy import mask_count, mask_table
from indicateurs.selectors import Cells, Figures, IndicatorScope

MASKED_TEXT = "s"
NO_DATA_TEXT = "—"  # nothing to measure (no observation, a rate over zero)
MINUS = "\u2212"  # the typographic minus sign


def threshold() -> int:
    return settings.STATISTICAL_SECRECY_THRESHOLD


def display(value: float | None, unit: str, *, masked: bool = True) -> str:
    """``masked``: a missing value was withheld by secrecy (else there was nothing to show)."""
    if value is None:
        return MASKED_TEXT if masked else NO_DATA_TEXT
    if unit == "%":
        return f"{format_number(value * 100, decimals=1)} %"
    if unit in ("note sur 5", "prestations par parcours"):
        return format_number(value, decimals=1)
    if unit == "jours":
        return f"{format_number(value, decimals=0 if float(value).is_integer() else 1)} j"
    return format_number(value)


@dataclass
class Row:
    label: str
    values: list[float | None]
    masked: list[str] = field(default_factory=list)  # "", "primaire" or "secondaire" per value
    key: str = ""  # the breakdown's key (the machine-readable export names rows by it)


@dataclass
class Table:
    code: str
    title: str
    columns: list[str]
    rows: list[Row]
    units: list[str]
    sentence: str = ""
    chart: str = ""
    definition: str = ""
    source: tuple[str, str] = ("", "")  # the stored fact and breakdown its rows are cells of

    def cells(self):
        for row in self.rows:
            yield (
                row,
                [
                    display(value, unit, masked=bool(flag))
                    for value, unit, flag in zip(row.values, self.units, row.masked, strict=True)
                ],
            )

    def export(self) -> ExportTable:
        rows = []
        for row in self.rows:
            exported: list = [row.label]
            for value, unit, flag in zip(row.values, self.units, row.masked, strict=True):
                if value is None:
                    exported.append(None if flag else "")  # None is written "s" (masked)
                else:
                    exported.append(round(value * 100, 1) if unit == "%" else value)
            rows.append(exported)
        columns = [
            f"{name} (%)" if unit == "%" else name
            for name, unit in zip(self.columns, ["", *self.units], strict=True)
        ]
        return ExportTable(title=self.title, columns=columns, rows=rows, blank=MASKED_TEXT)


@dataclass
class KeyFigure:
    indicator: Indicator
    value: float | None
    previous: float | None
    # Whether a missing value was withheld (rather than not measurable).
    value_masked: bool = False
    previous_masked: bool = False

    @property
    def text(self) -> str:
        return display(self.value, self.indicator.unit, masked=self.value_masked)

    @property
    def previous_text(self) -> str:
        return display(self.previous, self.indicator.unit, masked=self.previous_masked)

    @property
    def change(self) -> str:
        if self.value is None or self.previous is None:
            return ""
        if self.indicator.unit == "%":
            points = (self.value - self.previous) * 100
            return f"{'+' if points >= 0 else MINUS}{format_number(abs(points), decimals=1)} pt"
        if not self.previous:
            return ""
        change = (self.value - self.previous) / self.previous * 100
        return f"{'+' if change >= 0 else MINUS}{format_number(abs(change), decimals=0)} %"


Cell = tuple[str, str, str]


def published(
    measure: Measure, scope: IndicatorScope, withheld: frozenset[Cell] = frozenset()
) -> float | None:
    """``withheld``: cells masked in a published table; a figure made of one is masked too, or
    it would give the cell back."""
    if scope.masked and any(cell in withheld for cell in measure.cells):
        return None
    return measure.published(masked=scope.masked, threshold=threshold())


def withheld_cells(tables: dict[str, list["Table"]]) -> frozenset[Cell]:
    fact_cells = set()
    for theme in tables.values():
        for table in theme:
            fact, breakdown = table.source
            for row in table.rows:
                if row.masked and row.masked[0]:
                    fact_cells.add((fact, breakdown if row.key else "", row.key))
    return frozenset(fact_cells)


def protect_column(counts: list[int], total: int, scope: IndicatorScope) -> tuple[list, list]:
    """One column of counts with its total: primary and secondary secrecy."""
    if not scope.masked:
        return [*counts, total], [""] * (len(counts) + 1)
    if sum(counts) != total:
        # Not a partition of the total (distinct people month by month): each cell on its own.
        values = [mask_count(v, threshold=threshold()) for v in [*counts, total]]
        return values, ["primaire" if v is None else "" for v in values]
    table = mask_table(
        [[v] for v in [*counts, total]], threshold=threshold(), row_totals=False, column_totals=True
    )
    flags = [
        "primaire" if (i, 0) in table.primary else "secondaire" if (i, 0) in table.secondary else ""
        for i in range(len(counts) + 1)
    ]
    return [row[0] for row in table.values], flags


@dataclass(frozen=True)
class Withheld:
    """The cells masked in the tables of the period and of the previous one."""

    now: frozenset[Cell] = frozenset()
    before: frozenset[Cell] = frozenset()


def withheld_of(figures: Figures, scope: IndicatorScope, tables: dict[str, list[Table]]):
    if not scope.masked:
        return Withheld()
    return Withheld(
        withheld_cells(tables), withheld_cells(breakdown_tables(figures.previous, scope))
    )


def key_figures(figures: Figures, scope: IndicatorScope, withheld: Withheld) -> list[KeyFigure]:
    shown = []
    for indicator in HEADLINE:
        now = indicator.measure(figures.current)
        before = indicator.measure(figures.previous)
        value = published(now, scope, withheld.now)
        previous = published(before, scope, withheld.before)
        shown.append(
            KeyFigure(
                indicator,
                value,
                previous,
                value_masked=value is None and now.value is not None,
                previous_masked=previous is None and before.value is not None,
            )
        )
    return shown


def indicators_export(figures: Figures, scope: IndicatorScope, withheld: Withheld) -> ExportTable:
    """Every indicator of the set, this period and the previous one."""
    rows = []
    for indicator in INDICATORS:
        values = [
            published(indicator.measure(cells), scope, hidden)
            for cells, hidden in (
                (figures.current, withheld.now),
                (figures.previous, withheld.before),
            )
        ]
        if indicator.unit == "%":
            values = [None if v is None else round(v * 100, 1) for v in values]
        elif indicator.unit not in ("parcours", "personnes", "prestations"):
            values = [None if v is None else round(v, 1) for v in values]
        rows.append([indicator.label, indicator.code, indicator.unit, *values])
    return ExportTable(
        title=f"Indicateurs — {figures.period.label}",
        columns=["Indicateur", "Code", "Unité", figures.period.label, "Période précédente"],
        rows=rows,
        blank=MASKED_TEXT,
    )


def breakdown_tables(cells: Cells, scope: IndicatorScope) -> dict[str, list[Table]]:
    """Per theme, one table per breakdown of its indicators: count and share of the total."""
    by_theme: dict[str, list[Table]] = {theme: [] for theme in THEMES}
    for indicator in INDICATORS:
        for breakdown in indicator.breakdowns:
            if scope.masked and any(b.derived_from == breakdown.code for b in indicator.breakdowns):
                # Outside the operator, places are shown by région only: a département masked in
                # its table could be found again from its région's total.
                continue
            counts = breakdown.counts(cells, indicator.fact)
            keys = [key for key, _ in breakdown.choices]
            if len(keys) > 12:  # long lists (départements, situations): the keys that occur
                keys = [key for key in keys if counts.get(key)]
            keys += sorted(key for key in counts if key not in keys and counts[key])
            total = int(indicator.measure(cells).value or 0)
            values, flags = protect_column([counts.get(key, 0) for key in keys], total, scope)
            rows = []
            for key, value, flag in zip([*keys, None], values, flags, strict=True):
                share = None if value is None or not total else value / total
                label = "Total" if key is None else breakdown.label_of(key)
                rows.append(
                    Row(label, [value, share], [flag, flag], key="" if key is None else key)
                )
            by_theme[indicator.theme].append(
                Table(
                    f"{indicator.code}-{breakdown.code}",
                    f"{indicator.label} par {breakdown.label[0].lower()}{breakdown.label[1:]}",
                    [breakdown.label, indicator.unit.capitalize(), "Part"],
                    rows,
                    units=[indicator.unit, "%"],
                    definition=indicator.definition,
                    source=(indicator.fact, breakdown.code),
                )
            )
    return by_theme


def evolution_tables(figures: Figures, scope: IndicatorScope) -> list[Table]:
    """Month by month, for each headline count, against the same months of the period before."""
    period, previous = figures.period, figures.period.previous()
    tables = []
    for indicator in HEADLINE:
        if indicator.unit in ("%", "jours"):
            continue
        current = [int(indicator.measure(figures.by_month[m]).value or 0) for m in period.months]
        before = [int(indicator.measure(figures.by_month[m]).value or 0) for m in previous.months]
        total_now = int(indicator.measure(figures.current).value or 0)
        total_before = int(indicator.measure(figures.previous).value or 0)
        now_values, now_flags = protect_column(current, total_now, scope)
        before_values, before_flags = protect_column(before, total_before, scope)
        labels = [short_month_label(m) for m in period.months]
        rows = [
            Row(label, [now_values[i], before_values[i]], [now_flags[i], before_flags[i]])
            for i, label in enumerate(labels)
        ]
        rows.append(
            Row("Total", [now_values[-1], before_values[-1]], [now_flags[-1], before_flags[-1]])
        )
        unit = indicator.unit
        sentence = evolution_sentence(indicator, period, now_values[-1], before_values[-1])
        chart = bar_chart(
            title=f"{indicator.label} par mois",
            description=sentence,
            labels=labels,
            series=[
                Series(period.label.capitalize(), now_values[:-1]),
                Series("Période précédente", before_values[:-1]),
            ],
            unit=unit,
        )
        tables.append(
            Table(
                f"evolution-{indicator.code}",
                f"{indicator.label} par mois",
                ["Mois", period.label.capitalize(), "Période précédente (même mois)"],
                rows,
                units=[unit, unit],
                sentence=sentence,
                chart=chart,
                definition=indicator.definition,
            )
        )
    return tables


def evolution_sentence(indicator: Indicator, period: Period, now, before) -> str:
    if now is None:
        return (
            f"{indicator.label} sur la période : chiffre masqué par le secret statistique "
            f"(moins de {threshold()})."
        )
    text = (
        f"{indicator.label} : {format_number(now)} {indicator.unit} sur la période ({period.label})"
    )
    if before is None:
        return text + " ; le chiffre de la période précédente est masqué."
    if not before:
        return text + ", aucun sur la période précédente."
    change = (now - before) / before * 100
    trend = "en hausse" if change > 0 else "en baisse" if change < 0 else "stable"
    return (
        f"{text}, contre {format_number(before)} sur la période précédente : "
        f"{trend}{'' if change == 0 else f' de {format_number(abs(change))} %'}."
    )


def coordination_indicators() -> list[Indicator]:
    return [i for i in HEADLINE if i.unit not in ("%", "jours")]


def coordination_codes() -> list[str]:
    return [i.code for i in coordination_indicators()]


def coordination_table(figures: Figures, scope: IndicatorScope) -> Table | None:
    """A region: one row per operator. The nation: one row per region."""
    if not scope.is_coordination:
        return None
    counts = coordination_indicators()
    groups: dict[str, Cells] = {}
    operators = Operator.objects.filter(pk__in=scope.operator_ids).order_by("name")
    for operator in operators:
        label = operator.name if scope.kind == "region" else Region(operator.region).label
        group = groups.setdefault(label, Cells())
        for (code, breakdown, key), buckets in figures.by_operator.get(
            operator.pk, Cells()
        ).values.items():
            for bucket, value in buckets.items():
                group.add(code, breakdown, key, bucket, value)
    labels = sorted(groups)
    matrix = [[int(i.measure(groups[label]).value or 0) for i in counts] for label in labels]
    totals = [int(i.measure(figures.current).value or 0) for i in counts]
    table = mask_table(
        [*matrix, totals], threshold=threshold(), row_totals=False, column_totals=True
    )
    rows = []
    for r, label in enumerate([*labels, "Total"]):
        flags = [
            "primaire"
            if (r, c) in table.primary
            else "secondaire"
            if (r, c) in table.secondary
            else ""
            for c in range(len(counts))
        ]
        rows.append(Row(label, table.values[r], flags, key=label))
    heading = "Opérateur" if scope.kind == "region" else "Région"
    return Table(
        "par-operateur" if scope.kind == "region" else "par-region",
        f"Chiffres par {heading.lower()} — {figures.period.label}",
        [heading, *(i.label for i in counts)],
        rows,
        units=[i.unit for i in counts],
    )


def export_name(scope: IndicatorScope, period: Period, table: Table) -> str:
    return slugify(
        f"indicateurs-{scope.label}-{period.first:%Y-%m}-{period.last:%Y-%m}-{table.code}"
    )


def consolidation(figures: Figures, scope: IndicatorScope) -> dict:
    """The machine-readable export: definitions, then every figure as published to this reader
    (masked values are null). Nothing in it is about one person."""
    by_theme = breakdown_tables(figures.current, scope)
    withheld = withheld_of(figures, scope, by_theme)
    tables = [t for theme in by_theme.values() for t in theme]
    coordination = coordination_table(figures, scope)
    data = {
        "perimetre": {"type": scope.kind, "libelle": scope.label, "region": scope.region or None},
        "periode": {
            "du": figures.period.start.isoformat(),
            "au_exclu": figures.period.end.isoformat(),
            "libelle": figures.period.label,
        },
        "secret_statistique": {
            "applique": scope.masked,
            "seuil": threshold(),
            "valeur_masquee": None,
        },
        "definitions": definitions(),
        "indicateurs": {
            indicator.code: published(indicator.measure(figures.current), scope, withheld.now)
            for indicator in INDICATORS
        },
        "periode_precedente": {
            indicator.code: published(indicator.measure(figures.previous), scope, withheld.before)
            for indicator in INDICATORS
        },
        "ventilations": {
            table.code: {row.key or "total": row.values[0] for row in table.rows}
            for table in tables
        },
    }
    if coordination is not None:
        data[coordination.code] = [
            {"libelle": row.label, **dict(zip(coordination_codes(), row.values, strict=True))}
            for row in coordination.rows
        ]
    return data
