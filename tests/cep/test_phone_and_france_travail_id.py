"""The phone in any format phonenumbers reads as a valid French (or international) number, and
the France Travail identifier: accepted or refused the same way on the page and in the API,
with the French message next to the field and nothing saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from cep import services
from cep.managers import services as manager_services
from cep.models import AuditEvent, Beneficiary
from cep.person_data import person_data
from tests.cep.test_transfers import World
from tests.factories import BENEFICIARY_INPUT, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

PHONE_MESSAGE = "Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78."
FT_MESSAGE = (
    "L'identifiant France Travail compte 7 chiffres suivis d'un chiffre ou d'une lettre, "
    "par exemple 1234567A."
)

# (as typed, the number in E.164 the duplicate check compares)
PHONES_ACCEPTED = [
    ("06 12 34 56 78", "+33612345678"),
    ("0612345678", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("06-12-34-56-78", "+33612345678"),
    ("+33612345678", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033 6 12 34 56 78", "+33612345678"),
    ("+33 (0)6 12 34 56 78", "+33612345678"),
    ("01 23 45 67 89", "+33123456789"),
    ("09 87 65 43 21", "+33987654321"),
    ("0 800 123 456", "+33800123456"),
    ("0692 12 34 56", "+262692123456"),  # La Réunion, dialled as there
    ("+262 692 12 34 56", "+262692123456"),
    ("+32 470 12 34 56", "+32470123456"),  # Belgium
    ("+44 20 7946 0958", "+442079460958"),  # United Kingdom
    # Unassigned for phonenumbers, but the former pattern took it: a saved number stays valid.
    ("07 00 00 00 01", "+33700000001"),
]
PHONES_REFUSED = [
    "06 12 34",  # too short
    "06 12 34 56 78 90",  # too long
    "00 00 00 00 00",  # no such number
    "+33 0 12 34 56 78",  # the national 0 after the country code
    "06 12 34 56 7a",  # a letter
    "1-800-FLOWERS",  # letters read as a keypad
    "+999 12345678",  # no such country
    "pas de téléphone",
]
# (as typed, as kept)
FT_IDS_ACCEPTED = [
    ("1234567A", "1234567A"),
    ("1234567a", "1234567A"),
    (" 1234567A ", "1234567A"),
    ("1234 567a", "1234567A"),
    ("12345678", "12345678"),
    ("0000001Z", "0000001Z"),
]
FT_IDS_REFUSED = [
    "123456A",  # 6 digits
    "123456789",  # 9 signs
    "A1234567",  # the letter first
    "123456AB",  # two letters
    "1234567-",
    "1234567É",
]


@pytest.fixture
def counsellor():
    return make_membership(operator=OperatorFactory())


def saved(operator):
    with scope(operator=operator.pk):
        return Beneficiary.objects.first()


def create_on_page(client, **changes):
    return client.post(reverse("beneficiary_create"), {**BENEFICIARY_INPUT, **changes})


def create_in_api(client, **changes):
    return client.post(
        "/api/v1/beneficiaries/", {**BENEFICIARY_INPUT, **changes}, content_type="application/json"
    )


def error_next_to(html: str, field: str) -> str:
    start = html.index(f'<div id="id_{field}-desc-error">')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(("typed", "e164"), PHONES_ACCEPTED)
def test_the_page_accepts_the_phone(login_as, counsellor, typed, e164):
    assert create_on_page(login_as(counsellor), phone=typed).status_code == 302
    beneficiary = saved(counsellor.operator)
    assert (beneficiary.phone, beneficiary.phone_e164) == (typed.strip(), e164)


@pytest.mark.parametrize(("typed", "e164"), PHONES_ACCEPTED)
def test_the_api_accepts_the_phone(login_as, counsellor, typed, e164):
    response = create_in_api(login_as(counsellor), phone=typed)
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == typed
    assert saved(counsellor.operator).phone_e164 == e164


@pytest.mark.parametrize("typed", PHONES_REFUSED)
def test_the_page_refuses_the_phone_next_to_the_field(login_as, counsellor, typed):
    response = create_on_page(login_as(counsellor), phone=typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert PHONE_MESSAGE in error_next_to(html, "phone")
    assert f'value="{typed}"' in html  # what was typed stays
    assert saved(counsellor.operator) is None


@pytest.mark.parametrize("typed", PHONES_REFUSED)
def test_the_api_refuses_the_phone_with_a_field_error(login_as, counsellor, typed):
    response = create_in_api(login_as(counsellor), phone=typed)
    assert response.status_code == 400
    assert response.json() == {"phone": [PHONE_MESSAGE]}
    assert saved(counsellor.operator) is None


@pytest.mark.parametrize(("typed", "kept"), FT_IDS_ACCEPTED)
def test_the_page_accepts_the_france_travail_id(login_as, counsellor, typed, kept):
    assert create_on_page(login_as(counsellor), france_travail_id=typed).status_code == 302
    assert saved(counsellor.operator).france_travail_id == kept


@pytest.mark.parametrize(("typed", "kept"), FT_IDS_ACCEPTED)
def test_the_api_accepts_the_france_travail_id(login_as, counsellor, typed, kept):
    response = create_in_api(login_as(counsellor), france_travail_id=typed)
    assert response.status_code == 201, response.content
    assert response.json()["france_travail_id"] == kept
    assert saved(counsellor.operator).france_travail_id == kept


@pytest.mark.parametrize("typed", FT_IDS_REFUSED)
def test_the_page_refuses_the_france_travail_id_next_to_the_field(login_as, counsellor, typed):
    response = create_on_page(login_as(counsellor), france_travail_id=typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert FT_MESSAGE.replace("'", "&#x27;") in error_next_to(html, "france_travail_id")
    assert saved(counsellor.operator) is None


@pytest.mark.parametrize("typed", FT_IDS_REFUSED)
def test_the_api_refuses_the_france_travail_id_with_a_field_error(login_as, counsellor, typed):
    response = create_in_api(login_as(counsellor), france_travail_id=typed)
    assert response.status_code == 400
    assert response.json() == {"france_travail_id": [FT_MESSAGE]}
    assert saved(counsellor.operator) is None


def test_the_identifier_is_optional(login_as, counsellor):
    assert create_on_page(login_as(counsellor), france_travail_id="").status_code == 302
    assert saved(counsellor.operator).france_travail_id == ""


def test_the_edit_page_sets_the_identifier_and_the_same_one_retyped_changes_nothing(
    login_as, counsellor
):
    client = login_as(counsellor)
    assert create_on_page(client).status_code == 302
    beneficiary = saved(counsellor.operator)
    url = reverse("beneficiary_update", kwargs={"beneficiary_pk": beneficiary.pk})
    form = {**BENEFICIARY_INPUT, "france_travail_id": "7654 321b"}
    form.pop("entry_level")
    assert client.post(url, form).status_code == 302
    beneficiary.refresh_from_db()
    assert beneficiary.france_travail_id == "7654321B"
    detail = client.get(reverse("beneficiary_detail", kwargs={"beneficiary_pk": beneficiary.pk}))
    assert "Identifiant France Travail" in detail.content.decode()
    assert "7654321B" in detail.content.decode()
    assert client.post(url, {**form, "france_travail_id": "7654321b"}).status_code == 302
    with scope(operator=counsellor.operator_id):
        updates = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE)
        assert [event.details["fields"] for event in updates] == [["france_travail_id"]]


def test_the_persons_data_holds_the_identifier_and_anonymisation_clears_it():
    parcours = ParcoursFactory(beneficiary__france_travail_id="1234567A")
    beneficiary = parcours.beneficiary
    with scope(operator=parcours.operator_id):
        sections = {s["cle"]: s for s in person_data(beneficiary)["sections"]}
        (identity,) = sections["identite"]["enregistrements"]
        assert identity["identifiant France Travail"] == "1234567A"
        manager = make_membership(operator=parcours.operator, role="manager")
        parcours.closed_on, parcours.closing_reason = parcours.opened_on, "projet_realise"
        parcours.save()
        manager_services.anonymise_beneficiary(membership=manager, beneficiary=beneficiary)
        beneficiary.refresh_from_db()
    assert beneficiary.france_travail_id == ""


@pytest.mark.parametrize("typed", FT_IDS_REFUSED)
def test_the_service_refuses_the_france_travail_id_with_one_message(counsellor, typed):
    person = {
        "first_name": "Maëlle",
        "last_name": "Quéré",
        "sex": "F",
        "birth_date": date(1988, 3, 21),
        "departement": "35",
        "employment_status": "salarie_cdi",
    }
    with scope(operator=counsellor.operator_id), pytest.raises(ValidationError) as error:
        services.create_beneficiary(membership=counsellor, france_travail_id=typed, **person)
    assert error.value.message_dict == {"france_travail_id": [FT_MESSAGE]}
    assert saved(counsellor.operator) is None


def test_a_transfer_carries_the_identifier_to_the_receiving_operator(login_as):
    world = World()
    world.person.france_travail_id = "1234567A"  # the parcours' own beneficiary, saved
    with scope(operator=world.a.pk):
        world.person.save()
    transfer = world.propose(["identite", "situation"])
    response = login_as(world.b_manager).post(
        f"/transferts/{transfer.pk}/",
        {"action": "accepter", "accepter-referent": world.b_counsellor.pk},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    with scope(operator=world.b.pk):
        copy = Beneficiary.objects.get(parcours=transfer.received_parcours_id)
    assert (copy.operator_id, copy.france_travail_id) == (world.b.pk, "1234567A")
