"""Regression tests for what the probes of a running demo found (issue 18, point 3), each written
from its reproduction: a service's refusal is a field-level 400 or a French message, never a
server error; dates are plausible; the API speaks French and names no model."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accompagnement.models import TrainingPath
from accueil.models import InformationSession
from cep.models import Beneficiary, Service
from conseil.models import StrategyOption
from tests.conseil.factories import StrategyOptionFactory
from tests.factories import MembershipFactory, ParcoursFactory, SiteFactory

pytestmark = pytest.mark.django_db

# A fixed day, so the expected limits below are written by hand.
TODAY = date(2027, 3, 15)


@pytest.fixture
def frozen():
    with time_machine.travel("2027-03-15 10:00 +01:00", tick=False):
        yield


def post_json(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def level_3_option():
    parcours = ParcoursFactory(entry_level=2, current_level=3, opened_on=date(2027, 1, 4))
    return StrategyOptionFactory(parcours=parcours, kind=StrategyOption.Kind.TRAINING)


def test_retaining_a_strategy_at_level_3_is_a_field_level_400_not_a_server_error(login_as, frozen):
    option = level_3_option()
    client = login_as(option.parcours.referent)
    response = post_json(
        client, f"/api/v1/strategy-options/{option.pk}/retain/", {"retained": True}
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Le parcours est au niveau 3 : la stratégie se révise dans le plan."]
    }
    option.refresh_from_db()
    assert option.retained is False


def test_the_page_button_at_level_3_shows_the_reason_on_the_page(login_as, frozen):
    option = level_3_option()
    client = login_as(option.parcours.referent)
    tab = reverse("conseil:strategy", kwargs={"parcours_pk": option.parcours_id})
    response = client.post(
        reverse(
            "conseil:retain",
            kwargs={"parcours_pk": option.parcours_id, "strategyoption_pk": option.pk},
        ),
        {"retained": "1"},
        HTTP_REFERER=f"http://testserver{tab}",
    )
    assert response.status_code == 302
    assert response["Location"] == tab
    page = client.get(tab).content.decode()
    assert "Le parcours est au niveau 3 : la stratégie se révise dans le plan." in page
    option.refresh_from_db()
    assert option.retained is False


SESSION_DATES = [
    ("0001-01-01T00:00:00", "l'année doit être comprise entre 1900 et 2037"),
    ("9999-12-31T10:00:00", "l'année doit être comprise entre 1900 et 2037"),
    # About two years ahead at most: 15/03/2029 is 731 days after 15/03/2027, 2030 is too far.
    ("2030-01-10T10:00:00", "au plus deux ans à l'avance"),
]


@pytest.mark.parametrize(("starts_at", "message"), SESSION_DATES)
def test_implausible_session_dates_are_field_level_400s(login_as, frozen, starts_at, message):
    animator = MembershipFactory()
    client = login_as(animator)
    response = post_json(
        client,
        "/api/v1/information-sessions/",
        {
            "theme": "Le CEP en une heure",
            "starts_at": starts_at,
            "animator": animator.pk,
            "site": SiteFactory(operator=animator.operator).pk,
            "capacity": 12,
        },
    )
    assert response.status_code == 400
    assert any(message in error for error in response.json()["starts_at"])
    assert not InformationSession.objects.exists()


def test_a_session_two_years_ahead_is_accepted(login_as, frozen):
    animator = MembershipFactory()
    response = post_json(
        login_as(animator),
        "/api/v1/information-sessions/",
        {
            "theme": "Le CEP en une heure",
            "starts_at": "2029-03-01T10:00:00",
            "animator": animator.pk,
            "site": SiteFactory(operator=animator.operator).pk,
            "capacity": 12,
        },
    )
    assert response.status_code == 201, response.json()


def test_the_session_form_refuses_year_1_next_to_the_field(login_as, frozen):
    animator = MembershipFactory()
    client = login_as(animator)
    response = client.post(
        reverse("accueil:session_create"),
        {
            "theme": "Le CEP en une heure",
            "starts_at": "0001-01-01T00:00",
            "duration_minutes": 90,
            "animator": animator.pk,
            "site": SiteFactory(operator=animator.operator).pk,
            "capacity": 12,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vérifiez la date" in body
    assert 'value="Le CEP en une heure"' in body  # what was typed stays in the form
    assert not InformationSession.objects.exists()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("1899-12-31", "antérieure à 1900"),
        ("2027-03-16", "dans le futur"),
        ("0001-01-01", "antérieure à 1900"),
    ],
)
def test_birth_dates_run_from_1900_to_today(login_as, frozen, birth_date, message):
    client = login_as(MembershipFactory())
    response = post_json(
        client,
        "/api/v1/beneficiaries/",
        {
            "first_name": "Inès",
            "last_name": "Carré",
            "sex": "F",
            "birth_date": birth_date,
            "departement": "69",
            "employment_status": "agent_contractuel",
        },
    )
    assert response.status_code == 400
    assert any(message in error for error in response.json()["birth_date"])
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(
    ("delivered_on", "message"),
    [
        ("2027-03-16", "ne peut pas être dans le futur (aujourd'hui : 15/03/2027)"),
        ("2027-01-03", "ne peut pas précéder l'ouverture du parcours, le 04/01/2027"),
        ("9999-01-01", "l'année doit être comprise entre 1900 et 2037"),
    ],
)
def test_a_service_is_neither_in_the_future_nor_before_the_parcours(
    login_as, frozen, delivered_on, message
):
    parcours = ParcoursFactory(opened_on=date(2027, 1, 4))
    client = login_as(parcours.referent)
    response = post_json(
        client,
        "/api/v1/services/",
        {
            "parcours": parcours.pk,
            "kind": Service.Kind.INDIVIDUAL_INTERVIEW,
            "channel": Service.Channel.ON_SITE,
            "delivered_on": delivered_on,
            "duration_minutes": 45,
        },
    )
    assert response.status_code == 400
    assert any(message in error for error in response.json()["delivered_on"]), response.json()
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"start_date": "9999-01-01"}, "start_date", "entre 1900 et 2037"),
        # A year before the parcours opened (04/01/2027) at most.
        ({"start_date": "2025-12-01"}, "start_date", "précède de plus d'un an"),
        (
            {"start_date": "2027-09-01", "end_date": "2027-06-30"},
            "end_date",
            "La date de fin doit suivre la date de début.",
        ),
    ],
)
def test_training_dates_are_plausible_around_the_parcours(login_as, frozen, dates, field, message):
    from accompagnement import services as plan_services

    parcours = ParcoursFactory(entry_level=3, opened_on=date(2027, 1, 4))
    plan = plan_services.ensure_plan(membership=parcours.referent, parcours=parcours)
    client = login_as(parcours.referent)
    response = post_json(
        client,
        f"/api/v1/action-plans/{plan.pk}/items/?type=training",
        {
            "certification_title": "Titre professionnel de comptable assistant",
            "provider_name": "Organisme de formation (fictif)",
            "provider_chosen_by_beneficiary": True,
            "modality": TrainingPath.Modality.ON_SITE,
            "cost": "4200.00",
            **dates,
        },
    )
    assert response.status_code == 400, response.json()
    assert any(message in error for error in response.json().get(field, [])), response.json()
    assert not TrainingPath.objects.exists()


def test_api_errors_are_french_and_name_no_model(login_as):
    client = login_as(MembershipFactory())
    response = client.get("/api/v1/project-versions/999999/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Introuvable : cet élément n'existe pas ou vous n'y avez pas accès."
    }


def test_the_window_moves_with_the_clock(login_as):
    """The same date is refused one day and accepted the next: nothing is tied to a year."""
    parcours = ParcoursFactory(opened_on=date(2030, 6, 1))
    payload = {
        "parcours": parcours.pk,
        "kind": Service.Kind.INDIVIDUAL_INTERVIEW,
        "channel": Service.Channel.ON_SITE,
        "delivered_on": "2030-06-03",
        "duration_minutes": 45,
    }
    with time_machine.travel("2030-06-02 12:00 +02:00", tick=False):
        client = login_as(parcours.referent)
        assert post_json(client, "/api/v1/services/", payload).status_code == 400
    with time_machine.travel("2030-06-03 12:00 +02:00", tick=False):
        client = login_as(parcours.referent)
        assert post_json(client, "/api/v1/services/", payload).status_code == 201
