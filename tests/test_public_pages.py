"""Public pages are declared (Django's login_not_required) and listed here by hand: a page that
becomes public without being added to PUBLIC_PAGES fails the first test. Each one, asked by an
anonymous visitor, shows none of an operator's records; the API routes, which DRF
authenticates itself, answer 401 to the same visitor."""

import re

import pytest
from django.urls import reverse

from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership
from tests.test_isolation_walk import all_routes

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = {
    "sante/",
    "accessibilite/",
    "connexion/",
    "mot-de-passe/oubli/",
    "mot-de-passe/oubli/envoye/",
    "mot-de-passe/nouveau/<uidb64>/<token>/",
    "mot-de-passe/nouveau/termine/",
    "synthese/lien/<str:token>/",  # a signed link: the token is the authorisation
    "mon-espace/invitation/<str:token>/",
    "indicateurs/enquete/<str:token>/",
    "api/schema/",  # the API's description, no data
    "api/docs/",
    "admin/login/",
}
TOKENS = {"token": "inconnu-0123456789", "uidb64": "MQ"}


def declared_public(route) -> bool:
    return getattr(route.pattern.callback, "login_required", True) is False


def is_api(route) -> bool:
    return route.template.startswith("api/v1/")


def test_the_public_pages_are_the_declared_ones():
    public = {r.template for r in all_routes() if declared_public(r) and not is_api(r)}
    assert public == PUBLIC_PAGES


@pytest.fixture
def records():
    operator = OperatorFactory(name="Mission locale de Valcourt-sur-Loire")
    counsellor = make_membership(operator=operator)
    counsellor.user.first_name, counsellor.user.last_name = "Ondine", "Marchetti"
    counsellor.user.save()
    person = BeneficiaryFactory(
        operator=operator, first_name="Séverine", last_name="Quintavalle-Brun"
    )
    ParcoursFactory(operator=operator, beneficiary=person, referent=counsellor)
    return ["Valcourt-sur-Loire", "Marchetti", "Quintavalle-Brun", "Séverine"]


def test_no_public_page_shows_an_operator_record(client, records):
    asked = 0
    for route in all_routes():
        if route.template not in PUBLIC_PAGES:
            continue
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: TOKENS[m.group(1)], route.template)
        response = client.get(url, follow=True)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        text = response.content.decode()
        assert not [r for r in records if r in text], url
        asked += 1
    assert asked == len(PUBLIC_PAGES)


def test_the_api_asks_an_anonymous_visitor_to_authenticate(client, records):
    for route in all_routes():
        if is_api(route) and declared_public(route) and "<" not in route.template:
            url = "/" + route.template.replace("^", "").replace("$", "")
            if "(?P" in url or "\\" in url:
                continue
            response = client.get(url)
            assert response.status_code == 401, (url, response.status_code)
            assert "authentification" in response.json()["detail"], url
    assert client.get(reverse("accessibility")).status_code == 200
