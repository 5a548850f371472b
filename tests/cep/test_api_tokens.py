"""Token authentication: one token acts as one membership of one operator, nothing more."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django_scopes import scope, scopes_disabled

from cep import services
from cep.models import ApiToken, AuditEvent, Beneficiary, Membership
from tests.factories import (
    BENEFICIARY_INPUT,
    BeneficiaryFactory,
    OperatorFactory,
    UserFactory,
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


# The admin: tokens are issued only by `issue_api_token` (the command), which draws the key and
# stores its digest; the admin reads them and revokes them, nothing else.

ADMIN_TOKENS = "/admin/cep/apitoken/"


@pytest.fixture
def platform_client(client):
    staff = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)
    client.staff = staff
    return client


def test_the_admin_cannot_add_a_token(platform_client):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    assert platform_client.get(f"{ADMIN_TOKENS}add/").status_code == 403
    form = {"label": "SI ajouté à la main", "operator": operator.pk, "membership": membership.pk}
    # Twice: the second one used to be a 500 (two empty digests).
    assert platform_client.post(f"{ADMIN_TOKENS}add/", form).status_code == 403
    assert platform_client.post(f"{ADMIN_TOKENS}add/", form).status_code == 403
    with scopes_disabled():
        assert ApiToken.objects.count() == 0


def test_the_admin_shows_a_token_without_letting_it_change(platform_client):
    mine, theirs = OperatorFactory(), OperatorFactory()
    membership = make_membership(operator=mine)
    stranger = make_membership(operator=theirs)
    token, key = services.issue_api_token(membership=membership, label="SI régional")
    page = platform_client.get(f"{ADMIN_TOKENS}{token.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "SI régional" in html
    for field in ("label", "operator", "membership", "key_digest", "revoked_at"):
        assert f'name="{field}"' not in html, field
    assert token.key_digest not in html and key not in html
    # Moving it to another operator's membership: refused, and nothing changed.
    form = {"label": "Détourné", "operator": theirs.pk, "membership": stranger.pk}
    assert platform_client.post(f"{ADMIN_TOKENS}{token.pk}/change/", form).status_code == 403
    with scopes_disabled():
        stored = ApiToken.objects.get(pk=token.pk)
    assert (stored.label, stored.operator_id, stored.membership_id) == (
        "SI régional",
        mine.pk,
        membership.pk,
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/beneficiaries/").status_code == 200
    )


def test_revoking_in_the_admin_refuses_the_token_and_is_audited(platform_client):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    token, key = services.issue_api_token(membership=membership, label="SI à révoquer")
    _, kept_key = services.issue_api_token(membership=membership, label="SI gardé")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/beneficiaries/").status_code == 200
    listing = platform_client.get(ADMIN_TOKENS).content.decode()
    assert "Révoquer les jetons sélectionnés" in listing

    response = platform_client.post(
        ADMIN_TOKENS, {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    assert api.get("/api/v1/beneficiaries/").status_code == 401
    other = Client(HTTP_AUTHORIZATION=f"Token {kept_key}")
    assert other.get("/api/v1/beneficiaries/").status_code == 200
    with scope(operator=operator.pk):
        events = list(
            AuditEvent.objects.filter(
                object_type="cep.apitoken", object_id=str(token.pk), action="update"
            )
        )
    assert [(e.user_id, e.membership_id) for e in events] == [(platform_client.staff.pk, None)]

    # Revoking it again changes nothing and writes nothing more.
    with scopes_disabled():
        revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    platform_client.post(ADMIN_TOKENS, {"action": "revoke_tokens", "_selected_action": [token.pk]})
    with scope(operator=operator.pk):
        assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at
        assert AuditEvent.objects.filter(object_id=str(token.pk), action="update").count() == 1


def test_a_member_cannot_revoke_another_operators_token():
    membership = make_membership(operator=OperatorFactory())
    stranger = make_membership(operator=OperatorFactory(), role=Membership.Role.ADMIN)
    token, key = services.issue_api_token(membership=membership, label="SI")
    with pytest.raises(ValidationError):
        services.revoke_api_token(token=token, revoked_by=stranger)
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/beneficiaries/").status_code == 200
    )
