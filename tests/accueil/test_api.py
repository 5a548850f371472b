"""Level-1 API: field-level 400s on bad input, never 500, nothing half-saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accueil.models import InformationSession, IntakeRequest, Routing, SessionRegistration
from cep.models import Beneficiary
from tests.accueil.factories import (
    InformationSessionFactory,
    IntakeRequestFactory,
    SessionRegistrationFactory,
    StructureFactory,
)
from tests.factories import MembershipFactory, OperatorFactory, SiteFactory

pytestmark = pytest.mark.django_db


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_intake_through_the_api(login_as):
    counsellor = MembershipFactory()
    client = login_as(counsellor)
    payload = {
        "person": {
            "first_name": "Inès",
            "last_name": "Carré",
            "sex": "F",
            "birth_date": "1979-02-14",
            "departement": "69",
            "employment_status": "agent_contractuel",
        },
        "received_on": timezone.localdate().isoformat(),
        "channel": "visio",
        "motive": "Passer un concours.",
    }
    response = post(client, "/api/v1/intake-requests/", payload)
    assert response.status_code == 201, response.content
    with scope(operator=counsellor.operator_id):
        intake = IntakeRequest.objects.get()
    assert response.json()["beneficiary"] == intake.parcours.beneficiary_id
    # An inactive person: the refusal is a field error of the person, nothing is written.
    payload["person"]["employment_status"] = "etudiant"
    refused = post(client, "/api/v1/intake-requests/", payload)
    assert refused.status_code == 400
    assert "n'est pas actif" in refused.json()["person"]["employment_status"][0]
    with scope(operator=counsellor.operator_id):
        assert Beneficiary.objects.count() == 1


def test_unknown_target_structure_is_a_field_error(login_as):
    intake = IntakeRequestFactory()
    client = login_as(intake.parcours.referent)
    elsewhere = StructureFactory(operator=OperatorFactory())
    response = post(
        client,
        "/api/v1/routings/",
        {"parcours": intake.parcours_id, "target": elsewhere.pk, "reason": "Jeune"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "target": [f"Objet inconnu dans votre structure (identifiant {elsewhere.pk})."]
    }
    assert not Routing.objects.exists()


def test_unknown_target_in_the_html_form(login_as):
    intake = IntakeRequestFactory()
    client = login_as(intake.parcours.referent)
    elsewhere = StructureFactory(operator=OperatorFactory())
    response = client.post(
        reverse("accueil:routing", kwargs={"intakerequest_pk": intake.pk}),
        {"target": elsewhere.pk, "reason": "Jeune"},
    )
    assert response.status_code == 400
    assert "Choisissez une structure de votre annuaire." in response.content.decode()
    assert not Routing.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_at": -2}, "starts_at", "Une session se programme dans le futur."),
        ({"capacity": 0}, "capacity", "Une session compte au moins une place."),
        ({"capacity": 25}, "capacity", "au plus 20 places"),
        ({"starts_at": "pas une date"}, "starts_at", "Saisissez une date et une heure valides"),
    ],
)
def test_bad_sessions_get_field_errors(login_as, changes, field, message):
    animator = MembershipFactory()
    client = login_as(animator)
    payload = {
        "theme": "Le CEP en une heure",
        "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "animator": animator.pk,
        "site": SiteFactory(operator=animator.operator).pk,
        "capacity": 12,
    }
    if isinstance(changes.get("starts_at"), int):
        changes = {"starts_at": (timezone.now() + timedelta(days=changes["starts_at"])).isoformat()}
    response = post(client, "/api/v1/information-sessions/", {**payload, **changes})
    assert response.status_code == 400
    assert any(message in error for error in response.json()[field])
    assert not InformationSession.objects.exists()

    html = client.post(
        reverse("accueil:session_create"),
        {
            **payload,
            **changes,
            "duration_minutes": 90,
            "starts_at": str(changes.get("starts_at", payload["starts_at"]))[:16],
        },
    )
    assert html.status_code == 400
    assert not InformationSession.objects.exists()


def test_duplicate_and_full_registrations_through_the_api(login_as):
    session = InformationSessionFactory(capacity=1)
    registration = SessionRegistrationFactory(session=session)
    client = login_as(session.animator)
    url = f"/api/v1/information-sessions/{session.pk}/register/"
    duplicate = post(client, url, {"beneficiary": registration.beneficiary_id})
    assert duplicate.status_code == 400
    assert "déjà inscrit(e)" in duplicate.json()["beneficiary"][0]
    other = SessionRegistrationFactory.build(session=session).beneficiary
    other.operator = session.operator
    other.save()
    full = post(client, url, {"beneficiary": other.pk})
    assert full.status_code == 400
    assert "complète" in full.json()["beneficiary"][0]
    assert SessionRegistration.objects.count() == 1


def test_api_never_answers_500_on_garbage(login_as):
    client = login_as(MembershipFactory())
    for url in ("/api/v1/intake-requests/", "/api/v1/routings/", "/api/v1/information-sessions/"):
        for payload in ("[]", '{"person": "x"}', '{"capacity": "beaucoup"}', "pas du json"):
            response = client.post(url, payload, content_type="application/json")
            assert response.status_code == 400, (url, payload, response.content)
