"""Intake: the person, their parcours at level 1 and the request, created together or not at all."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accueil import services
from accueil.models import IntakeRequest
from cep.models import AuditEvent, Beneficiary, Parcours
from tests.accueil.factories import RoutingRuleFactory, StructureFactory
from tests.factories import OperatorFactory, make_membership

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Noémie",
    "last_name": "Lagarde",
    "sex": "F",
    "birth_date": date(1990, 6, 2),
    "departement": "35",
    "employment_status": "salarie_cdd",
}
REQUEST = {
    "received_on": date(2026, 11, 2),
    "channel": "telephone",
    "motive": "Mon contrat se termine, je voudrais me former à la comptabilité.",
    "project_type": "reconversion",
}


@pytest.fixture
def counsellor():
    return make_membership(operator=OperatorFactory())


def created_rows(operator) -> tuple[int, int, int]:
    with scope(operator=operator.pk):
        return (
            Beneficiary.objects.count(),
            Parcours.objects.count(),
            IntakeRequest.objects.count(),
        )


def test_intake_creates_person_parcours_and_request(counsellor):
    intake = services.record_intake(membership=counsellor, person=PERSON, **REQUEST)
    parcours = intake.parcours
    assert created_rows(counsellor.operator) == (1, 1, 1)
    assert (parcours.entry_level, parcours.current_level, parcours.opened_on) == (
        1,
        1,
        date(2026, 11, 2),
    )
    assert parcours.beneficiary.last_name == "Lagarde"
    assert intake.eligibility_reason.startswith("Personne active")
    assert AuditEvent.objects.filter(object_type="accueil.intakerequest").count() == 1


def test_inactive_person_is_refused_and_nothing_is_created(counsellor):
    with pytest.raises(Exception) as error:
        services.record_intake(
            membership=counsellor, person={**PERSON, "employment_status": "retraite"}, **REQUEST
        )
    assert "Une personne retraitée sans activité professionnelle n'est plus active" in str(
        error.value
    )
    assert created_rows(counsellor.operator) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_leaves_nothing_behind(counsellor, owner_cursor):
    """The database itself refuses the request row, after the person and parcours were written:
    the whole intake must roll back. (The trigger is the tables' owner's to create.)"""
    owner_cursor.execute(
        """
        CREATE FUNCTION refuse_intake() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'intake refused by the test'; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_intake BEFORE INSERT ON accueil_intakerequest
        FOR EACH ROW EXECUTE FUNCTION refuse_intake();
        """
    )
    try:
        with pytest.raises(DatabaseError, match="intake refused by the test"):
            services.record_intake(membership=counsellor, person=PERSON, **REQUEST)
        assert created_rows(counsellor.operator) == (0, 0, 0)
        with scope(operator=counsellor.operator_id):
            assert not AuditEvent.objects.exists()
    finally:
        owner_cursor.execute("DROP TRIGGER refuse_intake ON accueil_intakerequest")
        owner_cursor.execute("DROP FUNCTION refuse_intake()")


def test_intake_through_the_three_steps(login_as, counsellor):
    ml = StructureFactory(operator=counsellor.operator, name="Mission locale du Pays de Rennes")
    RoutingRuleFactory(
        operator=counsellor.operator,
        target=ml,
        label="Jeune de moins de 26 ans",
        max_age=26,
    )
    client = login_as(counsellor)
    url = reverse("accueil:intake")
    young = (timezone.localdate() - timedelta(days=20 * 365)).isoformat()
    response = client.post(
        f"{url}?etape=1",
        {
            "first_name": "Théo",
            "last_name": "Guillou",
            "sex": "M",
            "birth_date": young,
            "departement": "35",
        },
    )
    assert response.status_code == 302 and response.url.endswith("etape=2")
    # An inactive status stops at step 2 with the reason next to the field.
    refused = client.post(f"{url}?etape=2", {"employment_status": "eleve"})
    assert refused.status_code == 400
    assert "Orientez-le vers le centre d&#x27;information et d&#x27;orientation" in (
        refused.content.decode()
    )
    response = client.post(f"{url}?etape=2", {"employment_status": "de_a", "rqth": "on"})
    assert response.status_code == 302 and response.url.endswith("etape=3")
    step3 = client.get(f"{url}?etape=3")
    assert "Structure suggérée : Mission locale du Pays de Rennes" in step3.content.decode()
    response = client.post(
        f"{url}?etape=3",
        {
            "received_on": timezone.localdate().isoformat(),
            "channel": "sur_site",
            "motive": "Trouver une formation en alternance.",
        },
    )
    assert response.status_code == 302
    with scope(operator=counsellor.operator_id):
        intake = IntakeRequest.objects.select_related("parcours__beneficiary").get()
    assert intake.parcours.beneficiary.rqth is True
    assert (intake.suggested_structure, intake.suggested_rule_label) == (
        ml,
        "Jeune de moins de 26 ans",
    )
    assert response.url == reverse("accueil:request_detail", kwargs={"intakerequest_pk": intake.pk})


def test_stepper_sends_back_to_a_missing_step(login_as, counsellor):
    response = login_as(counsellor).get(reverse("accueil:intake") + "?etape=3")
    assert response.status_code == 302 and response.url.endswith("etape=1")
    assert created_rows(counsellor.operator) == (0, 0, 0)


def test_future_request_date_is_refused(counsellor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.record_intake(
            membership=counsellor,
            person=PERSON,
            **{**REQUEST, "received_on": timezone.localdate() + timedelta(days=1)},
        )
    assert error.value.message_dict == {
        "received_on": ["Une demande se saisit une fois reçue : date future."]
    }
    assert created_rows(counsellor.operator) == (0, 0, 0)
