"""Issue 21 §5: what was said at intake pre-fills Demande and Projet, as a proposal."""

import pytest
from django.utils import timezone

from tests.accueil.factories import IntakeRequestFactory
from tests.conseil.factories import (
    DemandClarificationFactory,
    Level2ParcoursFactory,
    ProjectVersionFactory,
)

pytestmark = pytest.mark.django_db


def intake_at_level_2():
    parcours = Level2ParcoursFactory()
    IntakeRequestFactory(
        parcours=parcours,
        received_on=timezone.localdate(),
        motive="Quitter la logistique pour la comptabilité.",
        project_type="reconversion",
        constraint_family=True,
        constraint_mobility=True,
        constraints_notes="Pas de permis de conduire",
    )
    return parcours


def test_the_demand_is_proposed_from_the_intake(login_as):
    parcours = intake_at_level_2()
    page = login_as(parcours.referent).get(f"/conseil/parcours/{parcours.pk}/demande/")
    html = page.content.decode()
    day = timezone.localdate().strftime("%d/%m/%Y")
    assert f"Proposé d'après la demande du {day}" in html
    assert "\nQuitter la logistique pour la comptabilité.</textarea>" in html
    assert (
        "\nContraintes familiales, contraintes de mobilité. Pas de permis de conduire</textarea>"
        in html
    )


def test_the_project_is_proposed_from_the_intake(login_as):
    parcours = intake_at_level_2()
    page = login_as(parcours.referent).get(f"/conseil/parcours/{parcours.pk}/projet/")
    form = page.context["form"]
    assert form.initial["project_type"] == "reconversion"
    assert form.initial["description"] == "Quitter la logistique pour la comptabilité."
    assert form.initial["constraints_notes"] == (
        "Contraintes familiales, contraintes de mobilité. Pas de permis de conduire"
    )
    assert 'value="reconversion" checked' in page.content.decode() or (
        'value="reconversion" selected' in page.content.decode()
    )


def test_what_the_counsellor_saved_wins_over_the_intake(login_as):
    parcours = intake_at_level_2()
    DemandClarificationFactory(parcours=parcours, priorities="Rester à Lyon.")
    ProjectVersionFactory(parcours=parcours, description="Devenir comptable.")
    client = login_as(parcours.referent)
    demand = client.get(f"/conseil/parcours/{parcours.pk}/demande/").content.decode()
    assert "Proposé d'après la demande" not in demand
    assert "\nRester à Lyon.</textarea>" in demand
    project = client.get(f"/conseil/parcours/{parcours.pk}/projet/").content.decode()
    assert "Proposé d'après la demande" not in project
    assert "Devenir comptable." in project


def test_a_parcours_entered_at_level_2_has_no_proposal(login_as):
    parcours = Level2ParcoursFactory()
    page = login_as(parcours.referent).get(f"/conseil/parcours/{parcours.pk}/demande/")
    assert page.context["proposal"] is None
