"""A coordination's information system reads the consolidated indicators with a token of its
own: the same figures as the coordinator's browser, on the indicator API and nowhere else."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cep import services
from cep.models import CoordinatorToken
from tests.factories import CoordinatorFactory, UserFactory
from tests.indicateurs.dataset import build

pytestmark = pytest.mark.django_db

MARCH = "periode=mois&mois=2026-03"


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_regional_token_reads_its_region_only():
    data = build()
    coordinator = CoordinatorFactory(region="84")
    _, key = services.issue_coordinator_token(coordinator=coordinator, label="Infocentre ARA")
    response = client_with(key).get(f"/api/v1/indicateurs/?{MARCH}")
    assert response.status_code == 200
    body = response.json()
    assert body["perimetre"]["type"] == "region"
    operators = {row["libelle"] for row in body["par-operateur"]}
    assert data.operator_a.name in operators and data.operator_b.name not in operators
    assert client_with(key).get("/api/v1/indicateurs/definitions/").status_code == 200
    # The same figures as the coordinator's own session.
    session = APIClient()
    session.force_login(coordinator.user)
    assert session.get(f"/api/v1/indicateurs/?{MARCH}").json() == body


def test_the_token_opens_nothing_but_the_indicators():
    coordinator = CoordinatorFactory(region="84")
    _, key = services.issue_coordinator_token(coordinator=coordinator, label="Infocentre")
    client = client_with(key)
    for url in ("/api/v1/beneficiaries/", "/api/v1/parcours/", "/api/v1/transfers/"):
        assert client.get(url).status_code in (401, 403), url
    # A page of the site is not an API route: the token logs nobody in.
    response = client.get("/indicateurs/")
    assert response.status_code == 302 and "/connexion/" in response.url


def test_a_revoked_token_or_an_ended_coordination_reads_nothing():
    coordinator = CoordinatorFactory(region="84")
    token, key = services.issue_coordinator_token(coordinator=coordinator, label="Infocentre")
    assert client_with(key).get("/api/v1/indicateurs/definitions/").status_code == 200
    CoordinatorToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client_with(key).get("/api/v1/indicateurs/definitions/").status_code in (401, 403)
    _, other = services.issue_coordinator_token(coordinator=coordinator, label="Autre")
    coordinator.is_active = False
    coordinator.save()
    assert client_with(other).get("/api/v1/indicateurs/definitions/").status_code in (401, 403)
    with pytest.raises(services.ValidationError, match="plus active"):
        services.issue_coordinator_token(coordinator=coordinator, label="Encore")


def test_the_command_prints_a_key_that_works_once_and_stores_only_its_digest():
    coordinator = CoordinatorFactory(national=True)
    out = io.StringIO()
    call_command(
        "create_coordinator_token",
        username=coordinator.user.username,
        label="Infocentre national",
        stdout=out,
    )
    key = out.getvalue().split(" : ", 1)[1].split()[0]
    assert client_with(key).get("/api/v1/indicateurs/definitions/").status_code == 200
    stored = CoordinatorToken.objects.get(coordinator=coordinator)
    assert key not in stored.key_digest and len(stored.key_digest) == 64


def test_the_admin_reads_and_revokes_coordinator_tokens_but_never_adds_one(client):
    coordinator = CoordinatorFactory(region="84")
    token, key = services.issue_coordinator_token(coordinator=coordinator, label="Infocentre")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = "/admin/cep/coordinatortoken/"
    form = {"label": "À la main", "coordinator": coordinator.pk}
    assert client.get(f"{url}add/").status_code == 403
    assert client.post(f"{url}add/", form).status_code == 403
    assert client.post(f"{url}add/", form).status_code == 403
    assert CoordinatorToken.objects.count() == 1
    page = client.get(f"{url}{token.pk}/change/").content.decode()
    assert 'name="label"' not in page and 'name="coordinator"' not in page
    assert client.post(f"{url}{token.pk}/change/", form).status_code == 403
    assert CoordinatorToken.objects.get().label == "Infocentre"

    response = client.post(url, {"action": "revoke_tokens", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert client_with(key).get("/api/v1/indicateurs/definitions/").status_code == 401
    assert CoordinatorToken.objects.get().revoked_at is not None
