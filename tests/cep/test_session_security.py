"""Sessions end after an hour without activity; an operator's admin decides whether its
counsellors confirm their login with a code too, and sees who has set theirs up."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from cep.models import AuditEvent, Membership, Operator
from cep.security.middleware import LAST_SEEN_SESSION_KEY
from tests.api import token_client
from tests.factories import OperatorFactory, make_membership

pytestmark = pytest.mark.django_db


def last_seen_ago(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_for_more_than_an_hour_ends(login_as, settings):
    assert settings.SESSION_IDLE_SECONDS == 3600
    client = login_as(make_membership(operator=OperatorFactory()))
    last_seen_ago(client, 3601)
    response = client.get("/beneficiaires/")
    assert response.status_code == 302
    assert response.url == "/connexion/?next=/beneficiaires/"
    login_page = client.get(response.url).content.decode()
    assert "Votre session a pris fin après 60 minutes sans activité" in login_page
    # Logged out: the next page asks for the login again.
    assert client.get("/beneficiaires/").url.startswith("/connexion/")


def test_activity_keeps_the_session_and_is_recorded_every_five_minutes(login_as):
    client = login_as(make_membership(operator=OperatorFactory()))
    last_seen_ago(client, 3500)
    assert client.get("/beneficiaires/").status_code == 200
    refreshed = client.session[LAST_SEEN_SESSION_KEY]
    assert abs(refreshed - time.time()) < 5
    # A minute later, nothing is written: the same value stays.
    last_seen_ago(client, 60)
    kept = client.session[LAST_SEEN_SESSION_KEY]
    assert client.get("/beneficiaires/").status_code == 200
    assert client.session[LAST_SEEN_SESSION_KEY] == kept


def test_an_idle_session_on_the_api_answers_401_and_a_token_is_not_concerned(login_as):
    membership = make_membership(operator=OperatorFactory())
    client = login_as(membership)
    last_seen_ago(client, 4000)
    response = client.get("/api/v1/beneficiaries/")
    assert response.status_code == 401
    assert "sans activité" in response.json()["detail"]
    assert token_client(membership).get("/api/v1/beneficiaries/").status_code == 200


def test_an_authorization_header_does_not_keep_an_idle_session_alive(login_as):
    client = login_as(make_membership(operator=OperatorFactory()))
    last_seen_ago(client, 4000)
    response = client.get("/beneficiaires/", HTTP_AUTHORIZATION="Token pas-un-jeton")
    assert response.status_code == 302 and response.url.startswith("/connexion/")
    assert client.get("/beneficiaires/").url.startswith("/connexion/")


def test_an_admin_requires_the_code_of_counsellors_too(login_as, client):
    operator = OperatorFactory()
    admin = make_membership(operator=operator, role=Membership.Role.ADMIN)
    counsellor = make_membership(operator=operator)
    TOTPDevice.objects.create(user=admin.user, name="Téléphone", confirmed=True)
    page = login_as(admin).get("/gestion/securite/").content.decode()
    assert "Exiger aussi un code de connexion des conseillers" in page
    assert page.count("Pas encore configurée") == 1  # the counsellor; the admin has one
    response = client.post("/gestion/securite/", {"counsellors_use_2fa": "on"})
    assert response.status_code == 302
    assert Operator.objects.get(pk=operator.pk).counsellors_use_2fa
    event = AuditEvent.objects.get(operator=operator, action=AuditEvent.Action.UPDATE)
    assert event.details == {"double_authentification_conseillers": True}
    # The counsellor's password alone no longer opens their caseload.
    client.logout()
    client.force_login(counsellor.user)
    assert client.get("/beneficiaires/").url == "/connexion/code/?next=/beneficiaires/"
    # Unticked: back to the password alone.
    login_as(admin).post("/gestion/securite/", {})
    assert not Operator.objects.get(pk=operator.pk).counsellors_use_2fa


def test_only_an_admin_sees_the_security_settings(login_as):
    operator = OperatorFactory()
    for role in (Membership.Role.CONSEILLER, Membership.Role.MANAGER):
        member = make_membership(operator=operator, role=role)
        assert login_as(member).get("/gestion/securite/").status_code == 404
        assert (
            login_as(member).post("/gestion/securite/", {"counsellors_use_2fa": "on"}).status_code
            == 404
        )
    assert not Operator.objects.get(pk=operator.pk).counsellors_use_2fa


def test_the_security_page_queries_do_not_grow_with_the_team(login_as):
    operator = OperatorFactory()
    client = login_as(make_membership(operator=operator, role=Membership.Role.ADMIN))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/gestion/securite/").status_code == 200
        return len(queries)

    for _ in range(2):
        make_membership(operator=operator)
    small = count()
    for _ in range(20):
        member = make_membership(operator=operator)
        TOTPDevice.objects.create(user=member.user, name="Téléphone", confirmed=True)
    assert count() == small
