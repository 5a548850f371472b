"""Level-3 API: build a plan, field-level 400s, never 500."""

import pytest
from django.utils import timezone

from accompagnement import services
from tests.conseil.factories import Level2ParcoursFactory

pytestmark = pytest.mark.django_db


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_build_agree_and_revise_through_the_api(login_as):
    parcours = Level2ParcoursFactory(entry_level=3)
    plan = services.ensure_plan(membership=parcours.referent, parcours=parcours)
    client = login_as(parcours.referent)
    base = f"/api/v1/action-plans/{plan.pk}"
    step = post(client, f"{base}/items/?type=step", {"title": "Se former", "order": 1})
    assert step.status_code == 201, step.content
    line = post(
        client,
        f"{base}/items/?type=cost",
        {"kind": "formation", "label": "CAP", "amount": "900.00"},
    )
    assert line.status_code == 201
    too_much = post(
        client,
        f"{base}/items/?type=funding",
        {"cost_line": line.json()["id"], "scheme": "cpf", "amount_requested": "900.01"},
    )
    assert too_much.status_code == 400
    assert too_much.json() == {
        "amount_requested": ["Le montant demandé dépasse le coût de la ligne (900,00\u00a0€)."]
    }
    negative = post(
        client, f"{base}/items/?type=cost", {"kind": "autre", "label": "x", "amount": "-1"}
    )
    assert negative.json() == {"amount": ["Un montant ne peut pas être négatif."]}
    assert post(client, f"{base}/items/?type=inconnu", {}).status_code == 400
    agreed = post(
        client,
        f"{base}/agreement/",
        {"agreed_on": timezone.localdate().isoformat(), "channel": "a_distance"},
    )
    assert agreed.json()["status"] == "valide"
    blocked = post(client, f"{base}/items/?type=step", {"title": "Autre", "order": 2})
    assert blocked.status_code == 400
    revised = post(client, f"{base}/revision/", {"reason": "Nouvelle date d'entrée"})
    assert (revised.json()["number"], revised.json()["status"]) == (2, "brouillon")
    assert [s["title"] for s in revised.json()["steps"]] == ["Se former"]


def test_garbage_never_answers_500(login_as):
    parcours = Level2ParcoursFactory(entry_level=3)
    plan = services.ensure_plan(membership=parcours.referent, parcours=parcours)
    client = login_as(parcours.referent)
    for url in (
        f"/api/v1/action-plans/{plan.pk}/items/?type=funding",
        f"/api/v1/action-plans/{plan.pk}/agreement/",
        f"/api/v1/action-plans/{plan.pk}/revision/",
    ):
        for payload in ("[]", "pas du json", '{"amount_requested": "beaucoup"}'):
            response = client.post(url, payload, content_type="application/json")
            assert response.status_code == 400, (url, payload, response.content)


def test_an_external_service_is_added_through_the_api_once_the_person_chose_the_provider(
    login_as,
):
    parcours = Level2ParcoursFactory(entry_level=3)
    plan = services.ensure_plan(membership=parcours.referent, parcours=parcours)
    client = login_as(parcours.referent)
    url = f"/api/v1/action-plans/{plan.pk}/items/?type=external"
    payload = {"kind": "bilan", "provider_name": "Centre de bilan", "expected_results": "Un bilan"}
    refused = post(client, url, payload)
    assert refused.status_code == 400
    assert refused.json() == {
        "provider_chosen_by_beneficiary": [
            "Le prestataire est le choix de la personne : confirmez qu'elle l'a choisi."
        ]
    }
    added = post(client, url, {**payload, "provider_chosen_by_beneficiary": True})
    assert added.status_code == 201, added.content
    assert added.json()["provider_chosen_by_beneficiary"] is True
    assert plan.versions.get().external_services.get().provider_name == "Centre de bilan"
