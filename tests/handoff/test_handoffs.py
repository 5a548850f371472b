"""Issue 21 §4: each decision lands on the next step's page, and saving from a workspace returns
to that workspace."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cep.models import Parcours
from tests.accueil.factories import IntakeRequestFactory, RoutingFactory
from tests.conseil.factories import (
    Level2ParcoursFactory,
    ProjectVersionFactory,
    StrategyOptionFactory,
)

pytestmark = pytest.mark.django_db


def test_going_on_to_level_2_lands_on_the_demand(login_as):
    intake = IntakeRequestFactory(received_on=timezone.localdate())
    client = login_as(intake.parcours.referent)
    response = client.post(
        reverse("accueil:outcome", kwargs={"intakerequest_pk": intake.pk}),
        {"outcome": "niveau_2", "decided_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/conseil/parcours/{intake.parcours_id}/demande/"
    assert client.get(response["Location"]).status_code == 200


def test_a_routed_request_stays_on_the_request(login_as):
    intake = IntakeRequestFactory(received_on=timezone.localdate())
    RoutingFactory(parcours=intake.parcours)
    client = login_as(intake.parcours.referent)
    response = client.post(
        reverse("accueil:outcome", kwargs={"intakerequest_pk": intake.pk}),
        {"outcome": "oriente", "decided_on": timezone.localdate().isoformat()},
    )
    assert response["Location"] == f"/accueil/demandes/{intake.pk}/"


def test_moving_to_level_3_lands_on_the_plan(login_as):
    parcours = Level2ParcoursFactory()
    ProjectVersionFactory(parcours=parcours, agreed=True)
    StrategyOptionFactory(parcours=parcours, retained=True, retained_on=timezone.localdate())
    client = login_as(parcours.referent)
    response = client.post(reverse("conseil:level_3", kwargs={"parcours_pk": parcours.pk}))
    assert response["Location"] == f"/accompagnement/parcours/{parcours.pk}/plan/"
    assert Parcours.objects.get(pk=parcours.pk).current_level == 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Le parcours passe au niveau 3 : accompagnement." in page.content.decode()


def test_a_refused_move_to_level_3_stays_on_the_strategy(login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    response = client.post(reverse("conseil:level_3", kwargs={"parcours_pk": parcours.pk}))
    assert response["Location"] == f"/conseil/parcours/{parcours.pk}/strategie/"


INTERVIEW = {
    "kind": "entretien_individuel",
    "channel": "sur_site",
    "duration_minutes": "60",
    "notes": "Bilan des expériences.",
}


def test_an_interview_saved_from_the_workspace_returns_to_it(login_as):
    parcours = Level2ParcoursFactory(opened_on=timezone.localdate() - timedelta(days=3))
    client = login_as(parcours.referent)
    workspace = f"/conseil/parcours/{parcours.pk}/"
    page = client.get(workspace).content.decode()
    link = f"/parcours/{parcours.pk}/prestations/nouvelle/?retour=/conseil/parcours/{parcours.pk}/"
    assert f'href="{link}"' in page
    form = client.get(link).content.decode()
    assert f'<input type="hidden" name="retour" value="{workspace}">' in form
    response = client.post(
        link.split("?")[0],
        {**INTERVIEW, "delivered_on": timezone.localdate().isoformat(), "retour": workspace},
    )
    assert response["Location"] == workspace
    assert "Bilan des expériences." in client.get(workspace).content.decode()


def test_a_bad_interview_keeps_the_way_back(login_as):
    parcours = Level2ParcoursFactory(opened_on=timezone.localdate() - timedelta(days=3))
    client = login_as(parcours.referent)
    workspace = f"/conseil/parcours/{parcours.pk}/"
    response = client.post(
        reverse("service_create", kwargs={"parcours_pk": parcours.pk}),
        {**INTERVIEW, "delivered_on": "demain", "retour": workspace},
    )
    assert response.status_code == 400
    assert f'<input type="hidden" name="retour" value="{workspace}">' in response.content.decode()


@pytest.mark.parametrize(
    "elsewhere", ["https://exemple.org/", "//exemple.org/", "/\\exemple.org", "javascript:alert(1)"]
)
def test_the_way_back_never_leaves_the_site(login_as, elsewhere):
    parcours = Level2ParcoursFactory(opened_on=timezone.localdate() - timedelta(days=3))
    client = login_as(parcours.referent)
    response = client.post(
        reverse("service_create", kwargs={"parcours_pk": parcours.pk}),
        {**INTERVIEW, "delivered_on": timezone.localdate().isoformat(), "retour": elsewhere},
    )
    beneficiary = f"/beneficiaires/{parcours.beneficiary_id}/#parcours-{parcours.pk}"
    assert response["Location"] == beneficiary
