"""Statistical secrecy: small counts are masked, and enough other cells with them that no masked
cell can be recomputed from its row or column and the totals. Expected values are worked out by
hand; no database is needed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicateurs.secrecy import mask_count, mask_distribution_figure, mask_rate, mask_table


def relations_of(height, width, *, row_totals, column_totals):
    """Every additive relation of a table with its margins, written out again for the tests."""
    relations = []
    if row_totals:
        relations += [[(row, col) for col in range(width)] for row in range(height)]
    if column_totals:
        relations += [[(row, col) for row in range(height)] for col in range(width)]
    return relations


def with_margins(interior, *, row_totals, column_totals):
    table = [[*line, sum(line)] if row_totals else list(line) for line in interior]
    if column_totals:
        table.append([sum(column) for column in zip(*table, strict=True)])
    return table


def assert_protected(table, *, threshold, row_totals, column_totals):
    """The properties every result must have, whatever the table."""
    result = mask_table(
        table, threshold=threshold, row_totals=row_totals, column_totals=column_totals
    )
    height, width = len(table), len(table[0])
    cells = {(row, col) for row in range(height) for col in range(width)}
    small = {(row, col) for row, col in cells if 1 <= table[row][col] < threshold}
    assert result.primary == small
    assert not result.primary & result.secondary
    for row, col in cells:
        masked = (row, col) in result.primary | result.secondary
        assert result.is_masked(row, col) is masked
        assert result.values[row][col] == (None if masked else table[row][col])
    for relation in relations_of(height, width, row_totals=row_totals, column_totals=column_totals):
        hidden = [cell for cell in relation if result.is_masked(*cell)]
        assert len(hidden) != 1 or len(relation) == 1, (relation, result.values)
    return result


def test_one_dimensional_column_masks_the_small_count_and_the_smallest_other():
    result = mask_table([[25], [4], [30], [59]], threshold=11, row_totals=False, column_totals=True)

    assert result.primary == {(1, 0)}
    # 25 and 30 are the other interior cells; 25 is the smaller. The total stays published.
    assert result.secondary == {(0, 0)}
    assert result.values == [[None], [None], [30], [59]]


def test_one_dimensional_row_with_its_total():
    result = mask_table([[25, 4, 30, 59]], threshold=11, row_totals=True, column_totals=False)

    assert result.primary == {(0, 1)}
    assert result.secondary == {(0, 0)}
    assert result.values == [[None, None, 30, 59]]


def test_two_dimensional_small_cell_masks_a_rectangle():
    table = [
        [20, 5, 30, 55],
        [15, 12, 40, 67],
        [35, 40, 25, 100],
        [70, 57, 95, 222],
    ]
    # Relations are visited rows first, then columns.
    # Row 0: 5 is primary and alone, so the smaller of 20 and 30 goes: (0, 0).
    # Column 0: 20 is now alone, the smaller of 15 and 35 goes: (1, 0).
    # Column 1: 5 is alone, the smaller of 12 and 40 goes: (1, 1).
    # Next pass: row 1 has 15 and 12 masked, every relation has 0 or 2 masked cells: stable.
    result = assert_protected(table, threshold=11, row_totals=True, column_totals=True)

    assert result.primary == {(0, 1)}
    assert result.secondary == {(0, 0), (1, 0), (1, 1)}
    assert result.values == [
        [None, None, 30, 55],
        [None, None, 40, 67],
        [35, 40, 25, 100],
        [70, 57, 95, 222],
    ]


def test_secondary_suppression_propagates_until_stable():
    table = [
        [20, 5, 30, 55],
        [15, 40, 25, 80],
        [35, 18, 12, 65],
        [70, 63, 67, 200],
    ]
    # First pass. Row 0: 5 is alone, the smaller of 20 and 30 goes: (0, 0).
    # Column 0: 20 is alone, the smaller of 15 and 35 goes: (1, 0).
    # Column 1: 5 is alone, the smaller of 40 and 18 goes: (2, 1).
    # Second pass. Row 1: 15 is alone, the smaller of 40 and 25 goes: (1, 2).
    # Row 2: 18 is alone, the smaller of 35 and 12 goes: (2, 2).
    # Column 2 now has 25 and 12; every relation has 0 or 2 masked cells: stable.
    result = assert_protected(table, threshold=11, row_totals=True, column_totals=True)

    assert result.primary == {(0, 1)}
    assert result.secondary == {(0, 0), (1, 0), (2, 1), (1, 2), (2, 2)}
    assert result.values == [
        [None, None, 30, 55],
        [None, 40, None, 80],
        [35, None, None, 65],
        [70, 63, 67, 200],
    ]


def test_margin_cell_is_masked_when_no_interior_cell_is_left():
    # One interior column: the total column repeats it.
    table = [[4, 4], [20, 20], [24, 24]]
    # Row 0: 4 and its total 4 are both primary.
    # Column 0: 4 is alone, the only interior candidate is 20: (1, 0).
    # Column 1 (the totals): 4 is alone, only margins are left, the smaller is 20: (1, 1).
    result = assert_protected(table, threshold=11, row_totals=True, column_totals=True)

    assert result.primary == {(0, 0), (0, 1)}
    assert result.secondary == {(1, 0), (1, 1)}
    assert result.values == [[None, None], [None, None], [24, 24]]


def test_small_total_is_masked_primarily():
    table = [[3, 4, 7], [20, 30, 50], [23, 34, 57]]
    # Row 0 is all small. Column 0: 3 is alone, the only interior candidate is 20: (1, 0).
    # Column 1: 4 is alone, 30: (1, 1). Column 2: 7 is alone, only margins are left, 50 < 57.
    result = assert_protected(table, threshold=11, row_totals=True, column_totals=True)

    assert result.primary == {(0, 0), (0, 1), (0, 2)}
    assert result.secondary == {(1, 0), (1, 1), (1, 2)}
    assert result.values == [[None, None, None], [None, None, None], [23, 34, 57]]


def test_zero_is_not_masked_and_secondary_prefers_non_zero():
    result = mask_table([[0], [4], [30], [34]], threshold=11, row_totals=False, column_totals=True)

    assert result.primary == {(1, 0)}
    # The 0 is smaller, but hiding it next to the 4 would leave the 4 recomputable: 30 goes.
    assert result.secondary == {(2, 0)}
    assert result.values == [[0], [None], [None], [34]]


def test_interior_zero_is_preferred_to_a_margin():
    table = [[15, 4, 19], [0, 20, 20], [15, 24, 39]]
    # Row 0: 4 is alone, 15 (interior) goes before the total 19: (0, 0).
    # Column 0: 15 is alone, left are the interior 0 and the total 15: the 0 goes, (1, 0).
    # Column 1: 4 is alone, 20 (interior) goes before the total 24: (1, 1). Row 1 then has two.
    result = assert_protected(table, threshold=11, row_totals=True, column_totals=True)

    assert result.primary == {(0, 1)}
    assert result.secondary == {(0, 0), (1, 0), (1, 1)}
    assert result.values == [[None, None, 19], [None, None, 20], [15, 24, 39]]


def test_table_without_small_count_masks_nothing():
    table = [[12, 0, 30, 42], [15, 40, 11, 66], [27, 40, 41, 108]]
    result = mask_table(table, threshold=11, row_totals=True, column_totals=True)

    assert result.primary == frozenset()
    assert result.secondary == frozenset()
    assert result.values == table


def test_threshold_defaults_to_eleven():
    result = mask_table([[11], [10], [21]], row_totals=False, column_totals=True)

    assert result.primary == {(1, 0)}
    assert result.secondary == {(0, 0)}


def test_table_without_margins_masks_only_small_counts():
    result = mask_table([[12, 3], [0, 40]], threshold=11, row_totals=False, column_totals=False)

    assert result.primary == {(0, 1)}
    assert result.secondary == frozenset()
    assert result.values == [[12, None], [0, 40]]


@pytest.mark.parametrize(
    ("table", "row_totals", "column_totals"),
    [
        ([[25], [4], [30], [59]], False, True),
        ([[1, 2, 3, 6]], True, False),
        ([[4, 0, 4], [0, 7, 7], [4, 7, 11]], True, True),
        ([[50, 3, 2, 55], [1, 60, 70, 131], [51, 63, 72, 186]], True, True),
        ([[12, 13, 25], [9, 30, 39], [40, 5, 45]], True, False),
        ([[12, 13], [9, 30], [40, 5], [61, 48]], False, True),
        ([[10, 10, 10, 30], [10, 10, 10, 30], [10, 10, 10, 30], [30, 30, 30, 90]], True, True),
        ([[0, 0, 0], [0, 0, 0], [0, 0, 0]], True, True),
    ],
)
def test_no_relation_is_left_with_a_single_masked_element(table, row_totals, column_totals):
    assert_protected(table, threshold=11, row_totals=row_totals, column_totals=column_totals)


counts = st.one_of(st.integers(0, 10), st.integers(11, 80))


def matrices(width):
    return st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    interior=st.integers(1, 4).flatmap(matrices),
    row_totals=st.booleans(),
    column_totals=st.booleans(),
)
def test_random_tables_are_protected(interior, row_totals, column_totals):
    table = with_margins(interior, row_totals=row_totals, column_totals=column_totals)
    assert_protected(table, threshold=11, row_totals=row_totals, column_totals=column_totals)


def test_inconsistent_row_total_is_refused():
    with pytest.raises(ValueError):
        mask_table([[12, 4, 17]], threshold=11, row_totals=True, column_totals=False)


def test_inconsistent_column_total_is_refused():
    with pytest.raises(ValueError):
        mask_table([[25], [4], [30], [60]], threshold=11, row_totals=False, column_totals=True)


def test_inconsistent_grand_total_is_refused():
    # Rows and columns add up, but the grand total does not.
    table = [[12, 20, 32], [15, 30, 45], [27, 50, 78]]
    with pytest.raises(ValueError):
        mask_table(table, threshold=11, row_totals=True, column_totals=True)


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError):
        mask_table([[12, 20], [15]], threshold=11, row_totals=False, column_totals=False)


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        mask_table([[15, -3, 12]], threshold=11, row_totals=True, column_totals=False)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), (0, 0), (1, None), (10, None), (11, 11), (250, 250)]
)
def test_mask_count(value, expected):
    assert mask_count(value, threshold=11) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (3, 50, None),
        (30, 50, 0.6),
        (30, 5, None),
        (0, 50, 0.0),
        (30, 0, None),
        (None, 50, None),
        (30, None, None),
        (45, 50, None),  # 5 are not: the complement is small
        (50, 50, 1.0),
        (60, 40, 1.5),  # a ratio above 1 has no complement
    ],
)
def test_mask_rate(numerator, denominator, expected):
    assert mask_rate(numerator, denominator, threshold=11) == expected


def test_distribution_figure_needs_enough_observations():
    assert mask_distribution_figure(12.5, 10, threshold=11) is None
    assert mask_distribution_figure(12.5, 11, threshold=11) == 12.5
    assert mask_distribution_figure(None, 40, threshold=11) is None
