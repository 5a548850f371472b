"""Inputs and edge cases found in review: each must give a French answer, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accueil import services as accueil
from accueil.models import RoutingRule
from cep.models import AuditEvent, Membership
from tests.accueil.factories import (
    InformationSessionFactory,
    RoutingRuleFactory,
    SessionRegistrationFactory,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_search_box_is_harmless(login_as):
    counsellor = MembershipFactory()
    client = login_as(counsellor)
    assert client.get(reverse("caseload") + "?q=a%00b").status_code == 200
    assert client.get("/api/v1/rome/jobs/?q=elec%00tricien").status_code == 200
    session = InformationSessionFactory(operator=counsellor.operator)
    url = reverse("accueil:session_detail", kwargs={"informationsession_pk": session.pk})
    assert client.get(url + "?q=a%00b").status_code == 200


def test_editing_a_rule_keeps_its_rqth_condition(login_as):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    rule = RoutingRuleFactory(operator=admin.operator, requires_rqth=True, label="Handicap")
    client = login_as(admin)
    url = reverse("accueil:rule_edit", kwargs={"routingrule_pk": rule.pk})
    page = client.get(url).content.decode()
    assert '<option value="true" selected>Oui</option>' in page
    client.post(
        url,
        {
            "priority": "1",
            "label": "Handicap",
            "requires_rqth": "true",
            "target": str(rule.target_id),
            "is_active": "on",
        },
    )
    assert RoutingRule.objects.get(pk=rule.pk).requires_rqth is True


def test_a_superuser_acting_as_a_counsellor_has_a_counsellors_rights(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    MembershipFactory(user=user, role=Membership.Role.CONSEILLER)
    client.force_login(user)
    assert client.get(reverse("caseload")).status_code == 200
    assert client.get(reverse("accueil:routing_setup")).status_code == 404


def test_no_attendance_on_a_cancelled_session_and_attendance_is_audited():
    session = InformationSessionFactory(past=True)
    registration = SessionRegistrationFactory(session=session)
    accueil.record_attendance(
        membership=session.animator, registration=registration, attendance="absent"
    )
    assert AuditEvent.objects.filter(
        object_type="accueil.sessionregistration", beneficiary=registration.beneficiary
    ).exists()
    session.cancelled_at = session.starts_at
    session.cancellation_reason = "Salle fermée"
    session.save()
    with pytest.raises(ValidationError, match="annulée"):
        accueil.record_attendance(
            membership=session.animator, registration=registration, attendance="present"
        )


def test_a_session_needs_a_place_said_next_to_the_field(login_as):
    animator = MembershipFactory()
    response = login_as(animator).post(
        reverse("accueil:session_create"),
        {
            "theme": "Le CEP",
            "starts_at": "2099-01-10T14:00",
            "duration_minutes": "90",
            "animator": str(animator.pk),
            "capacity": "12",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez un site d&#x27;accueil ou un lien de visioconférence." in html
    assert "session_has_a_place" not in html
