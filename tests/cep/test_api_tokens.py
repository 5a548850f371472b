"""Token authentication: one token acts as one membership of one operator, nothing more."""

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scope

from cep import services
from cep.models import ApiToken, Beneficiary, Membership
from tests.factories import (
    BENEFICIARY_INPUT,
    BeneficiaryFactory,
    OperatorFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_client():
    def _client(membership):
        _, key = services.issue_api_token(membership=membership, label="SI de test")
        return Client(HTTP_AUTHORIZATION=f"Token {key}", enforce_csrf_checks=True), key

    return _client


def test_token_lists_only_its_operator(token_client):
    mine, theirs = OperatorFactory(), OperatorFactory()
    kept = BeneficiaryFactory(operator=mine, last_name="Dumoulin")
    BeneficiaryFactory(operator=theirs, last_name="Ailleurs")
    client, _ = token_client(make_membership(operator=mine))
    body = client.get("/api/v1/beneficiaries/").json()
    assert [row["id"] for row in body["results"]] == [kept.pk]


def test_token_writes_without_csrf_and_as_its_membership(token_client):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    client, _ = token_client(membership)
    response = client.post(
        "/api/v1/beneficiaries/", BENEFICIARY_INPUT, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    with scope(operator=operator.pk):
        parcours = Beneficiary.objects.get().parcours.get()
    assert parcours.referent == membership


def test_revoked_or_unknown_token_is_refused(token_client):
    membership = make_membership(operator=OperatorFactory())
    client, _ = token_client(membership)
    with scope(operator=membership.operator_id):
        token = ApiToken.objects.get()
    services.revoke_api_token(token=token, revoked_by=membership)
    assert client.get("/api/v1/beneficiaries/").status_code in (401, 403)
    stranger = Client(HTTP_AUTHORIZATION="Token pas-un-jeton")
    assert stranger.get("/api/v1/beneficiaries/").status_code in (401, 403)


def test_token_of_a_deactivated_membership_stops_working(token_client):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    admin = make_membership(operator=operator, role=Membership.Role.ADMIN)
    client, _ = token_client(membership)
    assert client.get("/api/v1/beneficiaries/").status_code == 200
    services.deactivate_membership(membership=membership, deactivated_by=admin)
    assert client.get("/api/v1/beneficiaries/").status_code in (401, 403)


def test_only_the_digest_is_stored(capsys):
    membership = make_membership(operator=OperatorFactory())
    call_command("create_api_token", membership=membership.pk, label="SI régional")
    key = capsys.readouterr().out.split(" : ")[1].split()[0]
    with scope(operator=membership.operator_id):
        token = ApiToken.objects.get()
    assert key not in token.key_digest
    assert token.key_digest == ApiToken.digest(key)


def test_a_deactivated_users_token_acts_for_nobody(token_client):
    membership = make_membership(operator=OperatorFactory())
    client, _ = token_client(membership)
    assert client.get("/api/v1/beneficiaries/").status_code == 200
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    assert client.get("/api/v1/beneficiaries/").status_code == 404
