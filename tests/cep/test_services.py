"""Core write functions: one transaction each, the rule checked, the audit written."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cep import services
from cep.models import AuditEvent, Parcours, Service
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db


def test_record_service_sets_level_and_last_contact():
    parcours = ParcoursFactory(entry_level=2, opened_on=timezone.localdate() - timedelta(days=10))
    day = timezone.localdate() - timedelta(days=3)
    service = services.record_service(
        membership=parcours.referent,
        parcours=parcours,
        kind=Service.Kind.INDIVIDUAL_INTERVIEW,
        channel=Service.Channel.VIDEO,
        delivered_on=day,
        duration_minutes=50,
    )
    parcours.refresh_from_db()
    assert (service.level, parcours.last_contact_on) == (2, day)
    # An older service does not move the last contact back.
    services.record_service(
        membership=parcours.referent,
        parcours=parcours,
        kind=Service.Kind.INDIVIDUAL_INTERVIEW,
        channel=Service.Channel.PHONE,
        delivered_on=day - timedelta(days=2),
        duration_minutes=20,
    )
    parcours.refresh_from_db()
    assert parcours.last_contact_on == day


@pytest.mark.parametrize(
    ("offset", "duration", "field", "message"),
    [
        (1, 30, "delivered_on", "La date ne peut pas être dans le futur"),
        (-20, 30, "delivered_on", "La date ne peut pas précéder l'ouverture du parcours"),
        (0, 0, "duration_minutes", "supérieure ou égale à 1"),
    ],
)
def test_record_service_refuses_bad_input(offset, duration, field, message):
    parcours = ParcoursFactory(opened_on=timezone.localdate() - timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        services.record_service(
            membership=parcours.referent,
            parcours=parcours,
            kind=Service.Kind.INDIVIDUAL_INTERVIEW,
            channel=Service.Channel.ON_SITE,
            delivered_on=timezone.localdate() + timedelta(days=offset),
            duration_minutes=duration,
        )
    assert any(message in text for text in error.value.message_dict[field])
    assert not Service.objects.exists()


def test_closed_parcours_accepts_no_service():
    parcours = ParcoursFactory(closed=True)
    with pytest.raises(ValidationError, match="Ce parcours est terminé"):
        services.record_service(
            membership=parcours.referent,
            parcours=parcours,
            kind=Service.Kind.INDIVIDUAL_INTERVIEW,
            channel=Service.Channel.ON_SITE,
            delivered_on=timezone.localdate(),
            duration_minutes=30,
        )


def test_a_second_open_parcours_is_refused():
    parcours = ParcoursFactory()
    with pytest.raises(ValidationError, match="déjà un parcours en cours"):
        services.open_parcours(
            membership=parcours.referent,
            beneficiary=parcours.beneficiary,
            entry_level=1,
            opened_on=timezone.localdate(),
        )


def test_update_records_changed_field_names_only(login_as):
    operator = OperatorFactory()
    membership = make_membership(operator=operator)
    beneficiary = BeneficiaryFactory(operator=operator, last_name="Avant")
    services.update_beneficiary(
        membership=membership, beneficiary=beneficiary, last_name="Après", sex=beneficiary.sex
    )
    beneficiary.refresh_from_db()
    assert (beneficiary.last_name, beneficiary.search_name.split()[0]) == ("Après", "apres")
    event = AuditEvent.objects.get(action="update")
    assert event.details == {"fields": ["last_name"]}


def test_service_form_records_and_redirects(login_as):
    parcours = ParcoursFactory(opened_on=timezone.localdate() - timedelta(days=5))
    client = login_as(parcours.referent)
    url = reverse("service_create", kwargs={"parcours_pk": parcours.pk})
    response = client.post(
        url,
        {
            "kind": "entretien_individuel",
            "channel": "telephone",
            "delivered_on": timezone.localdate().isoformat(),
            "duration_minutes": "45",
            "notes": "Point d'étape",
        },
    )
    assert response.status_code == 302
    with scope(operator=parcours.operator_id):
        assert Service.objects.get().channel == "telephone"
        assert Parcours.objects.get().last_contact_on == timezone.localdate()
    bad = client.post(url, {"kind": "x", "channel": "telephone", "delivered_on": "demain"})
    assert bad.status_code == 400
    assert "Saisissez une date valide." in bad.content.decode()
    assert Service.objects.count() == 1
