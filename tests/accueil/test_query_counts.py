"""The level-1 pages read a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accueil.factories import (
    InformationDeliveryFactory,
    InformationSessionFactory,
    IntakeRequestFactory,
    RoutingFactory,
    RoutingStatusChangeFactory,
    SessionRegistrationFactory,
    StructureFactory,
)
from tests.factories import MembershipFactory, ParcoursFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_requests_of_the_day(login_as):
    counsellor = MembershipFactory()
    client = login_as(counsellor)
    today = timezone.localdate()
    structure = StructureFactory(operator=counsellor.operator)

    def add(n):
        for _ in range(n):
            parcours = ParcoursFactory(operator=counsellor.operator, opened_on=today)
            IntakeRequestFactory(parcours=parcours, suggested_structure=structure)

    add(5)
    url = reverse("accueil:requests") + f"?jour={today.isoformat()}"
    five = queries_for(client, url)
    add(95)
    assert queries_for(client, url) == five
    assert client.get(url).content.decode().count("/accueil/demandes/") - 1 >= 100


def test_request_page(login_as):
    counsellor = MembershipFactory()
    client = login_as(counsellor)
    intake = IntakeRequestFactory(operator=counsellor.operator)
    url = reverse("accueil:request_detail", kwargs={"intakerequest_pk": intake.pk})

    def add(n):
        for _ in range(n):
            service = ServiceFactory(parcours=intake.parcours)
            InformationDeliveryFactory(service=service)
            routing = RoutingFactory(parcours=intake.parcours)
            RoutingStatusChangeFactory(routing=routing)

    add(2)
    two = queries_for(client, url)
    add(30)
    assert queries_for(client, url) == two


def test_session_page_and_calendar(login_as):
    session = InformationSessionFactory(capacity=20)
    client = login_as(session.animator)

    def add(n):
        SessionRegistrationFactory.create_batch(n, session=session)
        InformationSessionFactory.create_batch(
            n, operator=session.operator, animator=session.animator
        )

    add(5)
    page = reverse("accueil:session_detail", kwargs={"informationsession_pk": session.pk})
    calendar = reverse("accueil:sessions")
    counts = (queries_for(client, page), queries_for(client, calendar))
    # Beyond the capacity on purpose: the page must not grow with its rows, whatever they are.
    add(95)
    assert (queries_for(client, page), queries_for(client, calendar)) == counts
    assert client.get(page).content.decode().count("/beneficiaires/") >= 100


def test_routing_setup_page(login_as):
    from cep.models import Membership
    from tests.accueil.factories import RoutingRuleFactory

    admin = MembershipFactory(role=Membership.Role.ADMIN)
    client = login_as(admin)
    url = reverse("accueil:routing_setup")

    def add(n):
        for _ in range(n):
            structure = StructureFactory(operator=admin.operator, on_platform=True)
            RoutingRuleFactory(operator=admin.operator, target=structure)

    add(3)
    three = queries_for(client, url)
    add(40)
    assert queries_for(client, url) == three
