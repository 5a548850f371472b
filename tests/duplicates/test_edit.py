"""Changing an existing file's e-mail, phone or France Travail identifier so that it collides
with another file of the operator: the edit page and the API show the candidates before saving,
with the same confirmation as a creation."""

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from cep.duplicates.matching import SAME_EMAIL, SAME_FRANCE_TRAVAIL_ID, SAME_PHONE
from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import AuditEvent, Beneficiary
from tests.factories import BeneficiaryFactory, OperatorFactory, make_membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return OperatorFactory()


@pytest.fixture
def existing(operator):
    with scopes_disabled():
        return BeneficiaryFactory(
            operator=operator,
            first_name="Karine",
            last_name="Lemoine",
            birth_date=date(1985, 3, 14),
            email="karine.lemoine@exemple.fr",
            phone="06 12 34 56 78",
            france_travail_id="1234567A",
        )


@pytest.fixture
def edited(operator):
    with scopes_disabled():
        return BeneficiaryFactory(
            operator=operator,
            first_name="Paul",
            last_name="Durand",
            birth_date=date(1990, 7, 1),
            email="paul.durand@exemple.fr",
            phone="07 81 23 45 67",
            france_travail_id="",
            postcode="69001",
            departement="69",
            employment_status="salarie_cdi",
            pcs_group="",
            diploma_level="",
        )


def form_of(beneficiary, **changes):
    values = {
        "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name,
        "sex": beneficiary.sex,
        "birth_date": beneficiary.birth_date.strftime("%d/%m/%Y"),
        "email": beneficiary.email,
        "phone": beneficiary.phone,
        "france_travail_id": beneficiary.france_travail_id,
        "postcode": beneficiary.postcode,
        "departement": beneficiary.departement,
        "employment_status": beneficiary.employment_status,
        "pcs_group": beneficiary.pcs_group,
        "diploma_level": beneficiary.diploma_level,
    }
    return {**values, **changes}


def url_of(beneficiary):
    return reverse("beneficiary_update", kwargs={"beneficiary_pk": beneficiary.pk})


def stored(beneficiary):
    with scopes_disabled():
        return Beneficiary.objects.get(pk=beneficiary.pk)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("email", "Karine.Lemoine@exemple.fr", SAME_EMAIL),
        ("phone", "+33 6 12 34 56 78", SAME_PHONE),
        ("france_travail_id", "1234567a", SAME_FRANCE_TRAVAIL_ID),
    ],
)
def test_the_edit_page_shows_the_candidates_before_saving(
    login_as, operator, existing, edited, field, value, reason
):
    counsellor = make_membership(operator=operator)
    client = login_as(counsellor)
    before = getattr(stored(edited), field)
    response = client.post(url_of(edited), form_of(edited, **{field: value}))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Cette personne a peut-être déjà un dossier" in html
    assert reverse("beneficiary_detail", kwargs={"beneficiary_pk": existing.pk}) in html
    assert reason[0].upper() + reason[1:] in html
    assert f'value="{value}"' in html  # what was typed stays
    assert 'name="confirm_distinct"' in html
    assert getattr(stored(edited), field) == before  # nothing saved
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()

    response = client.post(url_of(edited), form_of(edited, **{field: value}, confirm_distinct="1"))
    assert response.status_code == 302
    assert getattr(stored(edited), field) != before
    with scopes_disabled():
        confirmation = DistinctPersonConfirmation.objects.get()
        assert (confirmation.beneficiary_id, confirmation.other_id) == (edited.pk, existing.pk)
        assert confirmation.reasons == [reason]
        assert confirmation.confirmed_by == counsellor
        event = AuditEvent.objects.get(details__autre_personne_que=[existing.pk])
        assert (event.action, event.beneficiary_id) == (AuditEvent.Action.UPDATE, edited.pk)


def test_a_pair_confirmed_distinct_is_not_proposed_again(login_as, operator, existing, edited):
    client = login_as(make_membership(operator=operator))
    typed = form_of(edited, email="karine.lemoine@exemple.fr")
    assert client.post(url_of(edited), {**typed, "confirm_distinct": "1"}).status_code == 302
    # Later the phone becomes hers too: the counsellor already said these are two persons.
    response = client.post(url_of(edited), {**typed, "phone": "0612345678"})
    assert response.status_code == 302
    assert stored(edited).phone == "0612345678"


def test_other_changes_and_resemblances_known_before_do_not_warn(login_as, operator, existing):
    # Her twin-like namesake: a similar name and the same birth date, known when created.
    with scopes_disabled():
        namesake = BeneficiaryFactory(
            operator=operator,
            first_name="Karine",
            last_name="Lemoinne",
            birth_date=date(1985, 3, 14),
            email="",
            phone="",
            france_travail_id="",
            pcs_group="",
            diploma_level="",
        )
    client = login_as(make_membership(operator=operator))
    response = client.post(url_of(namesake), form_of(namesake, postcode="75011"))
    assert response.status_code == 302
    # A new e-mail of her own: the name resemblance is not what the change brought.
    response = client.post(url_of(namesake), form_of(namesake, email="k.l@exemple.fr"))
    assert response.status_code == 302
    assert stored(namesake).email == "k.l@exemple.fr"


def test_another_operators_file_is_never_proposed(login_as, operator, edited):
    with scopes_disabled():
        BeneficiaryFactory(operator=OperatorFactory(), france_travail_id="7654321B")
    client = login_as(make_membership(operator=operator))
    response = client.post(url_of(edited), form_of(edited, france_travail_id="7654321B"))
    assert response.status_code == 302


def test_the_api_answers_409_on_a_colliding_change_unless_confirm_distinct(
    client, operator, existing, edited
):
    client.force_login(make_membership(operator=operator).user)
    url = f"/api/v1/beneficiaries/{edited.pk}/"
    body = {"france_travail_id": "1234 567A"}
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 409, response.content
    assert [(c["id"], c["reasons"]) for c in response.json()["candidates"]] == [
        (existing.pk, [SAME_FRANCE_TRAVAIL_ID])
    ]
    assert stored(edited).france_travail_id == ""
    response = client.patch(
        url,
        {"france_travail_id": "1234 567A", "confirm_distinct": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["france_travail_id"] == "1234567A"
    with scope(operator=operator.pk):
        assert DistinctPersonConfirmation.objects.get().other_id == existing.pk


def test_the_edit_warning_queries_do_not_grow_with_the_candidates(
    login_as, operator, existing, edited, django_assert_num_queries
):
    client = login_as(make_membership(operator=operator))
    typed = form_of(edited, phone="06 12 34 56 78")
    with django_assert_num_queries(13) as one:
        assert client.post(url_of(edited), typed).status_code == 409
    with scopes_disabled():
        for n in range(4):
            BeneficiaryFactory(operator=operator, first_name=f"Autre{n}", phone="+33612345678")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.post(url_of(edited), typed)
    assert response.content.decode().count("Même numéro de téléphone") == 5
