"""One error surface: a service's refusal reads the same on a page and in the API, next to the
field it is about or, when it is about no field, above the form / as DRF's non-field errors."""

import pytest
from django.urls import reverse

from accompagnement import services as plans
from tests.conseil.factories import Level2ParcoursFactory
from tests.factories import ParcoursFactory

pytestmark = pytest.mark.django_db

REDUCTION_ABOVE_COST = "La réduction après VAE ne peut pas dépasser le coût."
TRAINING = {
    "provider_name": "Institut",
    "provider_chosen_by_beneficiary": True,
    "certification_title": "CAP",
    "modality": "mixte",
    "cost": "100.00",
    "vae_reduction": "150.00",
}


@pytest.fixture
def plan():
    parcours = Level2ParcoursFactory(entry_level=3)
    return plans.ensure_plan(membership=parcours.referent, parcours=parcours)


def test_a_model_constraint_is_a_non_field_error_in_the_api_not_djangos_all_key(plan, login_as):
    response = login_as(plan.parcours.referent).post(
        f"/api/v1/action-plans/{plan.pk}/items/?type=training",
        TRAINING,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [REDUCTION_ABOVE_COST]}


def test_the_training_form_says_the_same_above_the_form(plan, login_as):
    response = login_as(plan.parcours.referent).post(
        reverse("accompagnement:add_training", kwargs={"parcours_pk": plan.parcours_id}),
        {**TRAINING, "provider_chosen_by_beneficiary": "on"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [REDUCTION_ABOVE_COST]
    assert not [name for name in form.errors if name != "__all__"]


def test_a_level_2_form_keeps_the_services_refusal_in_the_form_not_in_a_flash(login_as):
    parcours = ParcoursFactory()  # level 1: the level-2 services refuse
    response = login_as(parcours.referent).post(
        reverse("conseil:skill_add_free", kwargs={"parcours_pk": parcours.pk}),
        {"free_label": "Parler en public", "source": "vie"},
    )
    assert response.status_code == 400
    assert response.context["free_form"].non_field_errors() == [
        "Ce parcours est encore au niveau 1 : la personne doit d'abord décider de poursuivre."
    ]
    assert [str(m) for m in response.context["messages"]] == []
