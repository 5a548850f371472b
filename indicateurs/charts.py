"""Charts of the dashboards, drawn on the server as SVG: no JavaScript, nothing from a CDN, and
no inline style (the Content-Security-Policy forbids it), only presentation attributes.

A value masked for statistical secrecy (or not available) is None: it is drawn as a small grey
marker reading "s", never as a bar, so a hidden figure cannot be guessed from a bar's height.
"""

import math
from dataclasses import dataclass
from uuid import uuid4

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# French typography: a narrow no-break space between thousands (as cep/management/commands/
# import_rome.py does) and a no-break space before a unit ("12,5 %").
THOUSANDS_SEPARATOR = "\u202f"
UNIT_SEPARATOR = "\u00a0"
MASKED = "s"

# DSFR colours: blue-france for the period, its lighter tint for the comparison period; greys
# for what only frames the figures.
SERIES_COLOURS = ["#000091", "#6a6af4", "#929292", "#3a3a3a"]
AXIS_COLOUR = "#666666"
GRID_COLOUR = "#dddddd"
MASKED_FILL = "#eeeeee"
TEXT_COLOUR = "#3a3a3a"
FONT_FAMILY = "Marianne, arial, sans-serif"

# Geometry of the viewBox; the SVG scales to its container (width="100%").
WIDTH = 720
PLOT_HEIGHT = 260
MARGIN_LEFT = 72
MARGIN_RIGHT = 16
FONT_SIZE = 12
CHAR_WIDTH = 6.5  # rough width of a character at FONT_SIZE, to decide whether labels fit
MAX_HORIZONTAL_LABELS = 12
MAX_BAR_WIDTH = 56


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None = masked or not available


def format_number(value: float | None, *, decimals: int = 0) -> str:
    """French formatting: "1 234" (narrow no-break space U+202F), "12,5", "s" for a masked value."""
    if value is None:
        return MASKED
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # "-0" or "-0,0" once rounded says nothing more than 0
    return text.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")


def bar_chart(
    *, title: str, description: str, labels: list[str], series: list[Series], unit: str = ""
) -> SafeString:
    """Grouped vertical bars: one group per label, one bar per series."""
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(
                f"La série « {one.name} » a {len(one.values)} valeurs pour {len(labels)} libellés."
            )
    chart_id = f"cep-chart-{uuid4().hex}"  # starts with a letter: a valid XML id
    values = [[_clean(v) for v in one.values] for one in series]
    shown = [v for column in values for v in column if v is not None]
    ticks, decimals = _ticks(min([0.0, *shown]), max([0.0, *shown]))
    low, high = ticks[0], ticks[-1]

    count = len(labels)
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    group_width = plot_width / count if count else plot_width
    longest = max((len(label) for label in labels), default=0)
    rotate = count > MAX_HORIZONTAL_LABELS or longest * CHAR_WIDTH > group_width - 4
    # Rotated labels still need about 1.5 lines of room each: show one in `every`.
    every = max(1, math.ceil(FONT_SIZE * 1.5 / group_width)) if rotate else 1
    label_room = min(longest * CHAR_WIDTH * 0.71, 110) + FONT_SIZE if rotate else FONT_SIZE
    top = 44 if len(series) > 1 or unit else 16
    bottom = top + PLOT_HEIGHT
    height = math.ceil(bottom + 12 + label_room + 8)

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * PLOT_HEIGHT

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cep-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]

    # Y axis: gridlines and their values; the zero line is the darker baseline.
    for tick in ticks:
        ty = _n(y(tick))
        colour = AXIS_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{ty}" x2="{WIDTH - MARGIN_RIGHT}" y2="{ty}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 8}" y="{ty}" dy="4" text-anchor="end" '
            f'fill="{AXIS_COLOUR}">{escape(format_number(tick, decimals=decimals if tick else 0))}'
            "</text>"
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{top}" x2="{MARGIN_LEFT}" y2="{bottom}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    if unit:
        parts.append(
            f'<text x="{MARGIN_LEFT - 8}" y="{top - 12}" text-anchor="end" '
            f'fill="{AXIS_COLOUR}">{escape(unit)}</text>'
        )
    if len(series) > 1:
        parts.append(_legend(series, top))
    if not count or not series:
        parts.append(
            f'<text x="{_n(MARGIN_LEFT + plot_width / 2)}" y="{_n(top + PLOT_HEIGHT / 2)}" '
            f'text-anchor="middle" fill="{TEXT_COLOUR}">Aucune donnée disponible</text>'
        )

    # A few groups would otherwise give huge slabs: bars stay slim, centred in their group.
    bar_width = min(group_width * 0.8 / max(len(series), 1), MAX_BAR_WIDTH)
    bars_offset = (group_width - bar_width * len(series)) / 2
    zero = y(0)
    for index, label in enumerate(labels):
        group_x = MARGIN_LEFT + index * group_width
        for rank, one in enumerate(series):
            value = values[rank][index]
            x = group_x + bars_offset + rank * bar_width
            tooltip = f"{label}, {one.name} : {_with_unit(value, unit)}"
            if value is None:
                parts.append(_masked_marker(x + bar_width / 2, zero, bar_width, tooltip))
                continue
            parts.append(
                f'<rect class="cep-chart__bar" x="{_n(x + 1)}" y="{_n(min(y(value), zero))}" '
                f'width="{_n(max(bar_width - 2, 1))}" height="{_n(abs(y(value) - zero))}" '
                f'fill="{SERIES_COLOURS[rank % len(SERIES_COLOURS)]}">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
        if index % every:
            continue
        centre = _n(group_x + group_width / 2)
        label_y = _n(bottom + 12 + FONT_SIZE * (0.3 if rotate else 1))
        transform = f' transform="rotate(-45 {centre} {label_y})"' if rotate else ""
        parts.append(
            f'<text class="cep-chart__label" x="{centre}" y="{label_y}" '
            f'text-anchor="{"end" if rotate else "middle"}" fill="{TEXT_COLOUR}"{transform}>'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    # Every text above went through escape(); the markup itself is ours.
    return mark_safe("".join(parts))


def _clean(value: float | None) -> float | None:
    # NaN or infinity would break the scale: shown like a value that is not available.
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _ticks(low: float, high: float) -> tuple[list[float], int]:
    """Round gridline values covering [low, high] (which include 0), 3 to 5 intervals, and the
    decimals they need. Steps are 1, 2 or 5 times a power of ten."""
    if high == low:
        high = 4.0  # nothing to scale (all 0 or masked): a plain 0-4 axis, no division by zero
    exponent = math.floor(math.log10((high - low) / 5))
    for multiple in (1, 2, 5, 10):
        step = multiple * 10.0**exponent
        first = math.floor(low / step + 1e-9)
        last = math.ceil(high / step - 1e-9)
        if last - first <= 5:
            break
    decimals = max(0, -exponent - (1 if multiple == 10 else 0))
    # Built from integers so 3 x 0.1 gives 0.3, not 0.30000000000000004.
    if exponent < 0:
        ticks = [i * multiple / 10**-exponent for i in range(first, last + 1)]
    else:
        ticks = [float(i * multiple * 10**exponent) for i in range(first, last + 1)]
    return ticks, decimals


def _legend(series: list[Series], top: int) -> str:
    parts = []
    x = MARGIN_LEFT
    for rank, one in enumerate(series):
        colour = SERIES_COLOURS[rank % len(SERIES_COLOURS)]
        parts.append(
            f'<rect class="cep-chart__legend-swatch" x="{x}" y="{top - 34}" width="12" '
            f'height="12" fill="{colour}"/>'
            f'<text x="{x + 18}" y="{top - 24}" fill="{TEXT_COLOUR}">{escape(one.name)}</text>'
        )
        x += 18 + len(one.name) * CHAR_WIDTH + 24
    return "".join(parts)


def _masked_marker(centre: float, zero: float, bar_width: float, tooltip: str) -> str:
    radius = _n(max(min(bar_width / 2 - 1, 8), 4))
    cy = _n(zero - float(radius) - 2)
    return (
        f'<g class="cep-chart__masked"><title>{escape(tooltip)}</title>'
        f'<circle cx="{_n(centre)}" cy="{cy}" r="{radius}" fill="{MASKED_FILL}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
        f'<text x="{_n(centre)}" y="{cy}" dy="4" text-anchor="middle" font-size="11" '
        f'fill="{TEXT_COLOUR}">{MASKED}</text></g>'
    )


def _with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return f"{MASKED} (secret statistique ou donnée non disponible)"
    decimals = 0 if value.is_integer() else (2 if abs(value) < 1 else 1)
    number = format_number(value, decimals=decimals)
    return f"{number}{UNIT_SEPARATOR}{unit}" if unit else number


def _n(value: float) -> str:
    """A coordinate with at most two decimals, without a trailing ".0"."""
    return f"{round(value, 2):g}"
