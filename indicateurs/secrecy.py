"""Statistical secrecy of published indicator tables.

A published count of people between 1 and the threshold (exclusive) could single someone out, so
it is masked (primary suppression). A masked cell that is the only unknown of an additive relation
(a row or a column and its total) could be recomputed by subtraction, so secondary suppression
masks one more element of every such relation until none is left with a lone masked element.
A count of 0 reveals nobody and is published.

Pure Python, no Django: the same rules apply to screens, exports and PDFs.
"""

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 11

Cell = tuple[int, int]


@dataclass(frozen=True)
class MaskedTable:
    values: list[list[int | None]]
    primary: frozenset[Cell]
    secondary: frozenset[Cell]

    def is_masked(self, row: int, col: int) -> bool:
        return (row, col) in self.primary or (row, col) in self.secondary


def _is_small(value: int, threshold: int) -> bool:
    return 1 <= value < threshold


def mask_count(value: int | None, *, threshold: int = DEFAULT_THRESHOLD) -> int | None:
    if value is None or _is_small(value, threshold):
        return None
    return value


def mask_rate(
    numerator: int | None, denominator: int | None, *, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """A rate over a published denominator would let a reader recompute a small numerator (or a
    small complement), and a rate over a small denominator is itself about a small group: all are
    withheld."""
    published_numerator = mask_count(numerator, threshold=threshold)
    published_denominator = mask_count(denominator, threshold=threshold)
    if published_numerator is None or not published_denominator:
        return None
    # 45 out of 50 tells that 5 are not: the complement is a count too (unless negative, for a
    # ratio that can exceed 1).
    if _is_small(published_denominator - published_numerator, threshold):
        return None
    return published_numerator / published_denominator


def mask_distribution_figure(
    value: float | None, observations: int, *, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """A median or percentile over few observations is close to one person's own value."""
    if value is None or observations < threshold:
        return None
    return value


def _relations(
    height: int, width: int, *, row_totals: bool, column_totals: bool
) -> list[tuple[Cell, ...]]:
    """Each additive relation as its cells, the total last. The totals row and column are
    relations too (they add up to the grand total)."""
    relations: list[tuple[Cell, ...]] = []
    if row_totals:
        relations += [tuple((row, col) for col in range(width)) for row in range(height)]
    if column_totals:
        relations += [tuple((row, col) for row in range(height)) for col in range(width)]
    return relations


def _validate(
    values: Sequence[Sequence[int]],
    relations: list[tuple[Cell, ...]],
    *,
    row_totals: bool,
    column_totals: bool,
) -> None:
    width = len(values[0]) if values else 0
    if any(len(line) != width for line in values):
        raise ValueError("Every row of the table must have the same number of cells.")
    if (row_totals and width == 0) or (column_totals and not values):
        raise ValueError("The table has no cell to hold its totals.")
    if any(value < 0 for line in values for value in line):
        raise ValueError("Counts of people cannot be negative.")
    for relation in relations:
        *cells, (total_row, total_col) = relation
        line_sum = sum(values[row][col] for row, col in cells)
        if line_sum != values[total_row][total_col]:
            raise ValueError(
                f"The total at ({total_row}, {total_col}) is {values[total_row][total_col]}, "
                f"its line adds up to {line_sum}."
            )


def mask_table(
    values: Sequence[Sequence[int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    row_totals: bool,
    column_totals: bool,
) -> MaskedTable:
    """Mask the small counts of a table given with its margins, then enough other cells that no
    relation has a single masked element.

    With ``row_totals`` the last column holds each row's total; with ``column_totals`` the last
    row holds each column's total (and, with both, the bottom-right cell the grand total).

    This rule stops recomputation by subtracting within one line; it is not a full audit of every
    combination of relations (a linear-programming check would be).
    """
    height = len(values)
    width = len(values[0]) if values else 0
    relations = _relations(height, width, row_totals=row_totals, column_totals=column_totals)
    _validate(values, relations, row_totals=row_totals, column_totals=column_totals)

    def is_margin(cell: Cell) -> bool:
        row, col = cell
        return (row_totals and col == width - 1) or (column_totals and row == height - 1)

    def cost(cell: Cell) -> tuple[bool, bool, int, Cell]:
        # Hiding an interior cell keeps the totals readers rely on; a zero hides nothing useful.
        value = values[cell[0]][cell[1]]
        return (is_margin(cell), value == 0, value, cell)

    primary = {
        (row, col)
        for row in range(height)
        for col in range(width)
        if _is_small(values[row][col], threshold)
    }
    masked = set(primary)
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(cell in masked for cell in relation) != 1:
                continue
            candidates = [cell for cell in relation if cell not in masked]
            if not candidates:  # a one-element relation: nothing to hide it among
                continue
            masked.add(min(candidates, key=cost))
            changed = True

    return MaskedTable(
        values=[
            [None if (row, col) in masked else values[row][col] for col in range(width)]
            for row in range(height)
        ],
        primary=frozenset(primary),
        secondary=frozenset(masked - primary),
    )
