"""The funding plan's arithmetic in exact decimals, and the amounts it refuses."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement import selectors, services
from accompagnement.models import FundingRequest
from tests.accompagnement.factories import (
    ActionFactory,
    DeclaredFactsFactory,
    StepFactory,
)
from tests.conseil.factories import Level2ParcoursFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    parcours = Level2ParcoursFactory(entry_level=3)
    return services.ensure_plan(membership=parcours.referent, parcours=parcours)


def add(plan, item_type, **fields):
    return services.add_item(
        membership=plan.parcours.referent, plan=plan, item_type=item_type, **fields
    )


def answer(request, status, granted=None):
    return services.record_funding_answer(
        membership=request.version.plan.parcours.referent,
        request=request,
        status=status,
        amount_granted=granted,
    )


def test_remaining_cost_with_several_funders_partial_grants_and_refusals(plan):
    training = add(plan, "cost", kind="formation", label="Formation", amount=Decimal("4850.50"))
    transport = add(plan, "cost", kind="transport", label="Transport", amount=Decimal("320.00"))
    cpf = add(plan, "funding", cost_line=training, scheme="cpf", amount_requested=Decimal("1500"))
    ptp = add(
        plan, "funding", cost_line=training, scheme="ptp", amount_requested=Decimal("3350.50")
    )
    region = add(
        plan, "funding", cost_line=transport, scheme="region", amount_requested=Decimal("320")
    )
    answer(cpf, "accordee", Decimal("1500.00"))
    answer(ptp, "accordee", Decimal("2000.10"))  # partial
    answer(region, "refusee")
    DeclaredFactsFactory(parcours=plan.parcours, operator=plan.operator, can_pay=Decimal("1000"))
    version = selectors.version_page(plan)
    summary = selectors.funding_summary(version, plan.parcours.declared_facts)
    # Training: 4850.50 - 1500.00 - 2000.10 = 1350.40; transport refused: 320.00 left.
    assert [line.remaining for line in summary.lines] == [Decimal("1350.40"), Decimal("320.00")]
    assert summary.total_cost == Decimal("5170.50")
    assert summary.total_granted == Decimal("3500.10")
    assert summary.remaining_cost == Decimal("1670.40")
    assert summary.exceeds_means  # 1670.40 > 1000


def test_amounts_above_the_cost_or_negative_are_refused(plan):
    line = add(plan, "cost", kind="formation", label="Formation", amount=Decimal("1000.00"))
    with pytest.raises(ValidationError) as error:
        add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("1000.01"))
    assert error.value.message_dict["amount_requested"] == [
        "Le montant demandé dépasse le coût de la ligne (1000.00 €)."
    ]
    with pytest.raises(ValidationError) as error:
        add(plan, "cost", kind="autre", label="Erreur", amount=Decimal("-5"))
    assert "amount" in error.value.message_dict
    first = add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("600"))
    second = add(plan, "funding", cost_line=line, scheme="aif", amount_requested=Decimal("600"))
    answer(first, "accordee", Decimal("600"))
    with pytest.raises(ValidationError) as error:
        answer(second, "accordee", Decimal("400.01"))
    assert (
        "dépasseraient le coût de la ligne (1000.00 €) : 600.00 € sont déjà accordés"
        in (error.value.message_dict["amount_granted"][0])
    )
    with pytest.raises(ValidationError, match="négatif"):
        answer(second, "accordee", Decimal("-1"))
    second.refresh_from_db()
    assert (second.status, second.amount_granted) == ("a_demander", None)


def test_html_form_refuses_a_negative_cost_in_french(plan, login_as):
    response = login_as(plan.parcours.referent).post(
        reverse("accompagnement:add_cost", kwargs={"parcours_pk": plan.parcours_id}),
        {"kind": "formation", "label": "Formation", "amount": "-10"},
    )
    assert response.status_code == 400
    assert "Un montant ne peut pas être négatif." in response.content.decode()
    assert not plan.versions.get().cost_lines.exists()


def test_plan_page_queries_do_not_grow_from_3_to_60_actions(plan, login_as):
    version = plan.versions.get()
    client = login_as(plan.parcours.referent)
    url = reverse("accompagnement:plan", kwargs={"parcours_pk": plan.parcours_id})

    def grow(n):
        step = StepFactory(version=version, operator=plan.operator)
        ActionFactory.create_batch(n, version=version, step=step, operator=plan.operator)
        line = add(plan, "cost", kind="formation", label="Formation", amount=Decimal("100"))
        add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("50"))

    grow(3)
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    grow(57)
    with CaptureQueriesContext(connection) as sixty:
        response = client.get(url)
    assert len(three) == len(sixty)
    assert response.content.decode().count("Mettre à jour") >= 60
    assert FundingRequest.objects.count() == 2
