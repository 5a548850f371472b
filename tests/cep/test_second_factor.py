"""Two-factor authentication: required for managers and admins, for counsellors when their
operator asks it; an API token is not concerned."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cep.models import Membership
from tests.api import token_client
from tests.factories import PASSWORD, OperatorFactory, make_membership

pytestmark = pytest.mark.django_db


def code_of(device: TOTPDevice, shift: int = 0) -> str:
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + shift):06d}"
    )


def test_a_manager_sets_up_then_uses_a_second_factor(client, settings):
    # django-otp makes the next attempt wait after a wrong code; not in this test.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    manager = make_membership(operator=OperatorFactory(), role=Membership.Role.MANAGER)
    assert client.login(username=manager.user.username, password=PASSWORD)
    # The password alone opens nothing: first the setting up of an application.
    response = client.get("/gestion/equipe/")
    assert response.url == "/connexion/code/?next=/gestion/equipe/"
    setup = client.get(response.url, follow=True)
    assert setup.redirect_chain[-1][0].startswith("/connexion/double-authentification/")
    assert "cle-totp" in setup.content.decode()
    device = TOTPDevice.objects.get(user=manager.user, confirmed=False)
    wrong = client.post(
        "/connexion/double-authentification/", {"code": code_of(device, shift=5)}
    ).content.decode()
    assert "Ce code ne correspond pas" in wrong
    done = client.post(
        "/connexion/double-authentification/?next=/gestion/equipe/", {"code": code_of(device)}
    )
    assert done.url == "/gestion/equipe/"
    assert client.get("/gestion/equipe/").status_code == 200
    # Next time: the code only.
    client.logout()
    client.login(username=manager.user.username, password=PASSWORD)
    assert client.get("/beneficiaires/").url == "/connexion/code/?next=/beneficiaires/"
    page = client.get("/connexion/code/")
    assert page.status_code == 200 and "Code à 6 chiffres" in page.content.decode()
    bad = client.post("/connexion/code/", {"code": "12ab"}).content.decode()
    assert "Le code compte exactement 6 chiffres." in bad


def test_admins_too_and_counsellors_when_their_operator_asks(client, settings):
    operator = OperatorFactory()
    admin = make_membership(operator=operator, role=Membership.Role.ADMIN)
    counsellor = make_membership(operator=operator)
    client.login(username=admin.user.username, password=PASSWORD)
    assert client.get("/beneficiaires/").status_code == 302
    client.logout()
    client.login(username=counsellor.user.username, password=PASSWORD)
    assert client.get("/beneficiaires/").status_code == 200
    operator.counsellors_use_2fa = True
    operator.save()
    assert client.get("/beneficiaires/").status_code == 302
    settings.TWO_FACTOR_REQUIRED = False
    assert client.get("/beneficiaires/").status_code == 200


def test_the_api_by_token_is_not_concerned_but_a_session_is(client):
    manager = make_membership(operator=OperatorFactory(), role=Membership.Role.MANAGER)
    assert token_client(manager).get("/api/v1/team/").status_code == 200
    client.login(username=manager.user.username, password=PASSWORD)
    response = client.get("/api/v1/team/")
    assert response.status_code == 403
    assert "Double authentification requise" in response.json()["detail"]
