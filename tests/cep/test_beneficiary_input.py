"""Bad input on the beneficiary form and API: a French message at the field, nothing saved."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cep.models import AuditEvent, Beneficiary, Parcours
from tests.factories import BENEFICIARY_INPUT, OperatorFactory, make_membership

pytestmark = pytest.mark.django_db

VALID = BENEFICIARY_INPUT

BAD_INPUTS = [
    pytest.param(
        "birth_date",
        (timezone.localdate() + timedelta(days=1)).isoformat(),
        "La date de naissance ne peut pas être dans le futur.",
        id="future-birth-date",
    ),
    pytest.param(
        "email",
        "maelle.quere@",
        "Saisissez une adresse électronique valide, par exemple nom@exemple.fr.",
        id="malformed-email",
    ),
    pytest.param(
        "phone",
        "06 12 34",
        "Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78.",
        id="malformed-phone",
    ),
    pytest.param(
        "employment_status",
        "chomeur",
        "Choisissez une situation dans la liste proposée.",
        id="unknown-status",
    ),
    pytest.param(
        "employment_status",
        "etudiant",
        "Un étudiant sans activité professionnelle n'est pas actif",
        id="inactive-student-refused",
    ),
]


@pytest.fixture
def counsellor():
    return make_membership(operator=OperatorFactory())


def nothing_saved(operator):
    with scope(operator=operator.pk):
        return (
            not Beneficiary.objects.exists()
            and not Parcours.objects.exists()
            and not AuditEvent.objects.exists()
        )


def field_error_block(html: str, field: str) -> str:
    """The DSFR error block rendered right after the field's input."""
    match = re.search(rf'<div id="id_{field}-desc-error">(.*?)</div>', html, re.S)
    assert match, f"no error block next to the field {field}"
    return match.group(1)


def test_valid_form_creates_beneficiary_and_parcours(login_as, counsellor):
    response = login_as(counsellor).post(reverse("beneficiary_create"), VALID)
    assert response.status_code == 302
    with scope(operator=counsellor.operator_id):
        beneficiary = Beneficiary.objects.get()
        parcours = beneficiary.parcours.get()
    assert (beneficiary.first_name, beneficiary.search_name) == ("Maëlle", "quere maelle")
    assert (parcours.referent, parcours.current_level) == (counsellor, 1)


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_form_rejects_bad_input_next_to_the_field(login_as, counsellor, field, value, message):
    response = login_as(counsellor).post(reverse("beneficiary_create"), {**VALID, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in field_error_block(html, field)
    assert nothing_saved(counsellor.operator)


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_api_rejects_bad_input_with_a_field_error(login_as, counsellor, field, value, message):
    client = login_as(counsellor)
    response = client.post(
        "/api/v1/beneficiaries/", {**VALID, field: value}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert any(message in error for error in body[field])
    assert nothing_saved(counsellor.operator)


def test_api_creates_with_valid_input(login_as, counsellor):
    client = login_as(counsellor)
    response = client.post("/api/v1/beneficiaries/", VALID, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["last_name"] == "Quéré"
    with scope(operator=counsellor.operator_id):
        assert Parcours.objects.get().beneficiary_id == response.json()["id"]


def test_api_never_answers_500_on_garbage(login_as, counsellor):
    client = login_as(counsellor)
    for payload in ("not json", '{"birth_date": "31/02/1990"}', "[]", '{"sex": ["F"]}'):
        response = client.post("/api/v1/beneficiaries/", payload, content_type="application/json")
        assert response.status_code == 400, payload
    assert nothing_saved(counsellor.operator)
