"""The funding plan's arithmetic in exact decimals, and the amounts it refuses."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement import selectors, services
from accompagnement.models import FundingParameter, FundingRequest
from cep.nomenclatures import EmploymentStatus
from tests.accompagnement.factories import (
    ActionFactory,
    DeclaredFactsFactory,
    StepFactory,
)
from tests.conseil.factories import Level2ParcoursFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    # Opened early in 2024: the funders' answers below are dated from April 2024 on, and an
    # answer cannot come before the parcours opened.
    parcours = Level2ParcoursFactory(entry_level=3, opened_on=date(2024, 1, 15))
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
    summary = selectors.funding_summary(
        version, plan.parcours.declared_facts, beneficiary=plan.parcours.beneficiary
    )
    # Training: 4850.50 - 1500.00 - 2000.10 = 1350.40; transport refused: 320.00 left.
    assert [line.remaining for line in summary.lines] == [Decimal("1350.40"), Decimal("320.00")]
    assert summary.total_cost == Decimal("5170.50")
    assert summary.total_granted == Decimal("3500.10")
    assert summary.remaining_cost == Decimal("1670.40")
    assert summary.exceeds_means  # 1670.40 > 1000


def cpf_only_line(plan, *, contacted_on=None):
    """A 1000 € training of which the CPF alone grants 900 €."""
    line = add(plan, "cost", kind="formation", label="Formation", amount=Decimal("1000.00"))
    cpf = add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("900"))
    services.record_funding_answer(
        membership=plan.parcours.referent,
        request=cpf,
        status="accordee",
        amount_granted=Decimal("900.00"),
        contacted_on=contacted_on,
    )
    return line


def summary_of(plan):
    return selectors.funding_summary(
        selectors.version_page(plan),
        getattr(plan.parcours, "declared_facts", None),
        beneficiary=plan.parcours.beneficiary,
    )


def test_the_cpf_flat_participation_is_added_where_the_cpf_alone_pays(plan):
    # Salaried, no top-up: 1000 - 900 = 100 left, plus the 100 € participation (in force since
    # 2 May 2024) = 200 € left to the person.
    cpf_only_line(plan, contacted_on=date(2025, 3, 1))
    summary = summary_of(plan)
    assert summary.lines[0].participation == Decimal("100.00")
    assert summary.remaining_cost == Decimal("200.00")
    assert summary.total_participation == Decimal("100.00")


def test_the_participation_is_the_amount_in_force_when_the_cpf_was_solicited(plan):
    FundingParameter.objects.create(
        code="cpf_participation",
        value=Decimal("102.23"),
        valid_from=date(2025, 1, 1),
        label="CPF : participation forfaitaire indexée",
    )
    cpf_only_line(plan, contacted_on=date(2024, 4, 30))  # before May 2024: none
    cpf_only_line(plan, contacted_on=date(2024, 12, 31))
    cpf_only_line(plan, contacted_on=date(2025, 6, 1))
    participations = [line.participation for line in summary_of(plan).lines]
    assert participations == [Decimal("0"), Decimal("100.00"), Decimal("102.23")]


def test_no_participation_for_a_job_seeker_an_employer_top_up_or_a_shared_line(plan):
    line = cpf_only_line(plan, contacted_on=date(2025, 3, 1))
    beneficiary = plan.parcours.beneficiary
    beneficiary.employment_status = EmploymentStatus.JOB_SEEKER_A
    beneficiary.save()
    assert summary_of(plan).remaining_cost == Decimal("100.00")
    beneficiary.employment_status = EmploymentStatus.EMPLOYEE_PERMANENT
    beneficiary.save()
    facts = DeclaredFactsFactory(
        parcours=plan.parcours, operator=plan.operator, employer_tops_up=True
    )
    assert summary_of(plan).remaining_cost == Decimal("100.00")
    facts.employer_tops_up = False
    facts.save()
    assert summary_of(plan).remaining_cost == Decimal("200.00")
    # Another funder grants the rest of the line: the participation is not due.
    region = add(plan, "funding", cost_line=line, scheme="region", amount_requested=Decimal("100"))
    answer(region, "accordee", Decimal("100.00"))
    assert summary_of(plan).remaining_cost == Decimal("0.00")


def test_amounts_above_the_cost_or_negative_are_refused(plan):
    line = add(plan, "cost", kind="formation", label="Formation", amount=Decimal("1000.00"))
    with pytest.raises(ValidationError) as error:
        add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("1000.01"))
    assert error.value.message_dict["amount_requested"] == [
        "Le montant demandé dépasse le coût de la ligne (1\u202f000,00\u00a0€)."
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
        "dépasseraient le coût de la ligne (1\u202f000,00\u00a0€) : "
        "600,00\u00a0€ sont déjà accordés" in (error.value.message_dict["amount_granted"][0])
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
