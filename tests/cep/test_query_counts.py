"""List and detail pages read a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_caseload_page_queries_do_not_grow_with_rows(login_as):
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    client = login_as(counsellor)

    def add_parcours(n):
        for _ in range(n):
            parcours = ParcoursFactory(operator=operator, referent=counsellor)
            ServiceFactory(parcours=parcours)

    add_parcours(5)
    url = reverse("caseload") + "?etat=all"
    with_five = count_queries(client, url)
    add_parcours(195)
    with_two_hundred = count_queries(client, url)
    assert with_five == with_two_hundred
    # A full page shows 50 rows (keyset pagination) and the next page is linked.
    response = client.get(url)
    assert response.content.decode().count('href="/beneficiaires/') >= 50
    assert "Page suivante" in response.content.decode()


def test_beneficiary_page_queries_do_not_grow_with_services(login_as):
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    client = login_as(counsellor)
    beneficiary = BeneficiaryFactory(operator=operator)
    old = ParcoursFactory(beneficiary=beneficiary, referent=counsellor, closed=True)
    current = ParcoursFactory(beneficiary=beneficiary, referent=counsellor)
    url = reverse("beneficiary_detail", kwargs={"beneficiary_pk": beneficiary.pk})

    for parcours in (old, current):
        ServiceFactory.create_batch(2, parcours=parcours)
    ServiceFactory(parcours=current, counsellor=make_membership(operator=operator))
    with_five = count_queries(client, url)
    for parcours in (old, current):
        ServiceFactory.create_batch(95, parcours=parcours)
    ServiceFactory.create_batch(5, parcours=current, counsellor=make_membership(operator=operator))
    with_two_hundred = count_queries(client, url)
    assert with_five == with_two_hundred
    assert client.get(url).content.decode().count("Entretien individuel") == 200


def test_the_parcours_followed_as_co_referent_are_listed_in_a_fixed_number_of_queries(login_as):
    from cep.continuity import services

    operator = OperatorFactory()
    colleague = make_membership(operator=operator)
    client = login_as(colleague)
    url = reverse("caseload") + "?etat=co"
    assert "Vous ne suivez aucun parcours en co-référence." in client.get(url).content.decode()

    def follow(n, name="Coadou"):
        for _ in range(n):
            referent = make_membership(operator=operator)
            parcours = ParcoursFactory(
                operator=operator,
                referent=referent,
                beneficiary=BeneficiaryFactory(operator=operator, last_name=name),
            )
            services.add_co_referent(membership=referent, parcours=parcours, counsellor=colleague)

    follow(2)
    with_two = count_queries(client, url)
    follow(20)
    assert count_queries(client, url) == with_two
    page = client.get(url).content.decode()
    assert page.count("COADOU") == 22
    assert "Parcours suivis en co-référence" in page and "Référent" in page
    # Their own caseload stays theirs: none of these parcours is in it.
    assert "COADOU" not in client.get(reverse("caseload")).content.decode()
    follow(1, name="Zabaleta")
    found = client.get(url + "&q=zaba").content.decode()
    assert "ZABALETA" in found and "COADOU" not in found
