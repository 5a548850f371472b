"""Co-construction: the project counts as agreed only with the person's recorded agreement."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conseil import services
from conseil.models import ProjectVersion
from tests.conseil.factories import (
    Level2ParcoursFactory,
    ProjectVersionFactory,
    RomeJobFactory,
    StrategyOptionFactory,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def project(parcours, **changes):
    values = {
        "membership": parcours.referent,
        "parcours": parcours,
        "project_type": "reconversion",
        "description": "Devenir comptable.",
        "target_jobs": [],
    }
    return services.save_project(**{**values, **changes})


def test_a_version_cannot_be_agreed_without_an_agreement():
    version = ProjectVersionFactory()
    version.status = ProjectVersion.Status.AGREED
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()
    with pytest.raises(ValidationError) as error:
        services.record_project_agreement(
            membership=version.created_by,
            version=version,
            agreed_on=timezone.localdate(),
            channel="",
        )
    # Keyed "channel", the field of the form and of the API, so the message sits next to it.
    assert error.value.message_dict == {
        "channel": [
            "Indiquez comment la personne a donné son accord : lors d'un entretien ou à distance."
        ]
    }
    # "From their space" is the person's own act: a counsellor cannot record it for them.
    with pytest.raises(ValidationError) as error:
        services.record_project_agreement(
            membership=version.created_by,
            version=version,
            agreed_on=timezone.localdate(),
            channel="espace_beneficiaire",
        )
    assert "ne peut être donné que par la personne elle-même" in error.value.messages[0]
    assert ProjectVersion.objects.get().status == "brouillon"


def test_editing_an_agreed_project_makes_a_new_version():
    parcours = Level2ParcoursFactory()
    target = RomeJobFactory(code="M1203", label="Comptabilité")
    first = project(parcours, target_jobs=[target])
    edited = project(parcours, description="Devenir comptable en cabinet.", target_jobs=[target])
    assert edited.pk == first.pk
    services.record_project_agreement(
        membership=parcours.referent,
        version=first,
        agreed_on=timezone.localdate(),
        channel="en_presence",
    )
    with pytest.raises(ValidationError, match="indiquez pourquoi"):
        project(parcours, description="Devenir gestionnaire de paie.")
    second = project(
        parcours, description="Devenir gestionnaire de paie.", revision_reason="Stage en paie"
    )
    assert second.number == 2 and second.status == "brouillon"
    first.refresh_from_db()
    # The agreed version is untouched and still reads as agreed until the next agreement.
    assert (first.description, first.status, list(first.target_jobs.all())) == (
        "Devenir comptable en cabinet.",
        "valide",
        [target],
    )
    services.record_project_agreement(
        membership=parcours.referent,
        version=second,
        agreed_on=timezone.localdate(),
        channel="a_distance",
    )
    first.refresh_from_db()
    assert [v.status for v in parcours.project_versions.order_by("number")] == ["revise", "valide"]


def test_agreement_date_cannot_be_in_the_future():
    version = ProjectVersionFactory()
    with pytest.raises(ValidationError) as error:
        services.record_project_agreement(
            membership=version.created_by,
            version=version,
            agreed_on=timezone.localdate() + timedelta(days=1),
            channel="en_presence",
        )
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert error.value.message_dict == {
        "agreed_on": [f"La date ne peut pas être dans le futur (aujourd'hui : {today})."]
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "new_target_job",
            "Q9999",
            "Aucun métier du ROME ne correspond à « Q9999 » : essayez un autre intitulé.",
        ),
        ("target_jobs", "Q9999", "Un des métiers cochés n'existe plus dans le ROME."),
        ("project_type", "", "Choisissez le type de projet."),
    ],
)
def test_project_form_bad_input(login_as, field, value, message):
    parcours = Level2ParcoursFactory()
    RomeJobFactory(code="M1203", label="Comptabilité")
    data = {"project_type": "reconversion", "description": "Devenir comptable.", field: value}
    response = login_as(parcours.referent).post(
        reverse("conseil:project", kwargs={"parcours_pk": parcours.pk}), data
    )
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not ProjectVersion.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"target_jobs": ["Q9999"]}, "target_jobs", "Code inconnu du ROME : Q9999."),
        # PostgreSQL refuses NUL in text: found by the API fuzzing, once a server error.
        ({"target_jobs": ["M18\x0005"]}, "target_jobs", "Code inconnu du ROME : M1805."),
        ({"project_type": ""}, "project_type", "Choisissez un type de projet dans la liste."),
    ],
)
def test_project_api_bad_input(login_as, payload, field, message):
    parcours = Level2ParcoursFactory()
    response = login_as(parcours.referent).post(
        "/api/v1/project-versions/",
        {"parcours": parcours.pk, "project_type": "reconversion", "description": "x", **payload},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not ProjectVersion.objects.exists()


def test_level_3_needs_an_agreed_project_and_a_retained_strategy():
    parcours = Level2ParcoursFactory()
    referent = parcours.referent
    with pytest.raises(ValidationError, match="validé par la personne"):
        services.move_to_level_3(membership=referent, parcours=parcours)
    ProjectVersionFactory(parcours=parcours, agreed=True)
    option = StrategyOptionFactory(parcours=parcours)
    with pytest.raises(ValidationError, match="retenir au moins une stratégie"):
        services.move_to_level_3(membership=referent, parcours=parcours)
    services.set_strategy_retained(membership=referent, option=option, retained=True)
    assert services.move_to_level_3(membership=referent, parcours=parcours).current_level == 3


def test_reassigning_the_referent_keeps_the_history():
    parcours = Level2ParcoursFactory()
    first = parcours.referent
    second = MembershipFactory(operator=parcours.operator)
    services.reassign_referent(
        membership=first, parcours=parcours, referent=second, reason="Départ en congé"
    )
    parcours.refresh_from_db()
    assert parcours.referent == second
    assert [(a.referent, a.reason) for a in parcours.referent_assignments.order_by("pk")] == [
        (second, "Départ en congé")
    ]
    with pytest.raises(ValidationError):
        services.reassign_referent(
            membership=first, parcours=parcours, referent=MembershipFactory(), reason="x"
        )
