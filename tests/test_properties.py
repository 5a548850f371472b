"""Properties that must hold for any input (hypothesis): no crash on user text, exact money."""

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from accompagnement.costs import summarize
from cep.models import normalize_for_search
from cep.nomenclatures import DEPARTEMENTS, departement_of_postcode
from cep.selectors import CaseloadCursor

cents = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)


@given(st.text())
def test_a_hand_edited_cursor_never_breaks_the_caseload(raw):
    cursor = CaseloadCursor.decode(raw)
    assert cursor is None or CaseloadCursor.decode(cursor.encode()) == cursor


@given(st.text())
def test_search_normalisation_is_stable(text):
    once = normalize_for_search(text)
    assert normalize_for_search(once) == once
    assert once == once.casefold()


@given(st.text(max_size=8))
def test_any_postcode_text_maps_to_a_known_departement_or_none(postcode):
    assert departement_of_postcode(postcode) in (None, *DEPARTEMENTS)


@given(st.integers(min_value=1000, max_value=95999))
def test_metropolitan_postcodes_map_by_their_first_two_digits(number):
    postcode = f"{number:05d}"
    if not postcode.startswith("20"):  # Corsica splits 20xxx into 2A and 2B
        assert departement_of_postcode(postcode) == postcode[:2]


@dataclass
class Line:
    pk: int
    amount: Decimal


@dataclass
class Request:
    cost_line_id: int
    status: str
    amount_granted: Decimal | None
    amount_requested: Decimal


@given(st.lists(st.tuples(cents, st.lists(cents, max_size=4)), min_size=1, max_size=6))
def test_remaining_cost_is_cost_minus_grants_never_below_zero(plan):
    lines = [Line(pk=index, amount=amount) for index, (amount, _) in enumerate(plan)]
    requests = [
        Request(cost_line_id=index, status="accordee", amount_granted=grant, amount_requested=grant)
        for index, (_, grants) in enumerate(plan)
        for grant in grants
    ]
    summary = summarize(lines, requests, can_pay=None)
    expected = sum(
        (max(Decimal("0"), amount - sum(grants, Decimal("0"))) for amount, grants in plan),
        Decimal("0"),
    )
    assert summary.remaining_cost == expected
    assert summary.remaining_cost >= 0
    assert isinstance(summary.remaining_cost, Decimal)
