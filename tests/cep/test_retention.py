"""Retention: the dry run lists exactly the files past the limit; the nightly job anonymises
those no legal retention keeps, and the indicators keep counting them."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from cep.managers.selectors import retention_report
from cep.models import Beneficiary, Membership, Parcours
from tests.accompagnement.factories import (
    ActionPlanFactory,
    FundingRequestFactory,
    PlanVersionFactory,
)
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)  # the limit: 730 days before, 2024-11-27


def person(operator, name: str, *, last_contact_days: int, closed: bool = True) -> Beneficiary:
    beneficiary = BeneficiaryFactory(operator=operator, last_name=name)
    last = TODAY - timedelta(days=last_contact_days)
    ParcoursFactory(
        operator=operator,
        beneficiary=beneficiary,
        opened_on=last - timedelta(days=100),
        last_contact_on=last,
        closed_on=last if closed else None,
        closing_reason=Parcours.ClosingReason.COMPLETED if closed else "",
    )
    return beneficiary


@pytest.fixture
def files(settings):
    settings.FILE_RETENTION_DAYS = 730
    operator = OperatorFactory()
    other = OperatorFactory()
    made = {
        "ancien": person(operator, "Ancien", last_contact_days=800),
        "limite": person(operator, "Limite", last_contact_days=731),
        "recent": person(operator, "Recent", last_contact_days=700),
        "pile": person(operator, "Pile", last_contact_days=730),  # exactly the limit: kept
        "ouvert": person(operator, "Ouvert", last_contact_days=900, closed=False),
        "finance": person(operator, "Finance", last_contact_days=900),
        "ailleurs": person(other, "Ailleurs", last_contact_days=900),
    }
    plan = ActionPlanFactory(parcours=made["finance"].parcours.get())
    FundingRequestFactory(
        version=PlanVersionFactory(plan=plan),
        status="accordee",
        amount_granted=Decimal("500.00"),
    )
    return operator, other, made


def test_the_dry_run_lists_exactly_the_files_past_the_limit(files):
    operator, _, _ = files
    with scope(operator=operator.pk):
        rows = retention_report(today=TODAY)
    assert [(row.beneficiary.last_name, row.last_contact) for row in rows] == [
        ("Finance", TODAY - timedelta(days=900)),
        ("Ancien", TODAY - timedelta(days=800)),
        ("Limite", TODAY - timedelta(days=731)),
    ]
    decisions = {row.beneficiary.last_name: row.kept_because for row in rows}
    assert decisions["Ancien"] == "" and decisions["Limite"] == ""
    assert "financement a été accordé" in decisions["Finance"]


def test_the_job_anonymises_what_the_dry_run_announced(files):
    from cep.managers import services

    operator, _, made = files
    assert services.apply_retention(today=TODAY) == 3  # Ancien, Limite, and Ailleurs elsewhere
    anonymised = set(
        Beneficiary.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {made["ancien"].pk, made["limite"].pk, made["ailleurs"].pk}
    ancien = Beneficiary.objects.get(pk=made["ancien"].pk)
    assert ancien.first_name == "Personne" and ancien.birth_date.month == 1
    # What the indicators count stays: the parcours and its dates.
    assert Parcours.objects.get(beneficiary=ancien).closed_on == TODAY - timedelta(days=800)
    with scope(operator=operator.pk):
        assert [row.beneficiary.last_name for row in retention_report(today=TODAY)] == ["Finance"]


def test_managers_read_the_dry_run(files, login_as):
    operator, _, _ = files
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    client = login_as(manager)
    # The page reads today from the clock: the files above are dated from TODAY.
    with time_machine.travel(datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))):
        page = client.get("/gestion/conservation/").content.decode()
    assert "Ancien" in page and "Finance" in page and "Ailleurs" not in page
    assert "Recent" not in page and "Ouvert" not in page
    counsellor = make_membership(operator=operator)
    assert login_as(counsellor).get("/gestion/conservation/").status_code == 404


def test_the_dry_run_keeps_its_query_count(files, login_as):
    operator, _, _ = files
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    client = login_as(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get("/gestion/conservation/")
        return len(queries)

    before = count()
    for n in range(5):
        person(operator, f"Encore{n}", last_contact_days=1000 + n)
    assert count() == before
