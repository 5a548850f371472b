"""Coordinators: an account with no membership and no beneficiary record; the command that
stores the monthly figures."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cep import services
from cep.models import Coordinator, Membership
from indicateurs.models import SnapshotRun
from tests.factories import (
    BeneficiaryAccountFactory,
    CoordinatorFactory,
    OperatorFactory,
    UserFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db


def test_a_coordinator_account_holds_no_membership():
    user = make_membership(operator=OperatorFactory()).user
    with pytest.raises(ValidationError, match="habilitation"):
        services.appoint_coordinator(user=user, level=Coordinator.Level.NATION)
    account = BeneficiaryAccountFactory()
    with pytest.raises(ValidationError, match="bénéficiaire"):
        services.appoint_coordinator(user=account.user, level=Coordinator.Level.NATION)
    coordinator = CoordinatorFactory()
    with pytest.raises(ValidationError, match="coordination"):
        services.grant_membership(
            operator=OperatorFactory(), user=coordinator.user, role=Membership.Role.MANAGER
        )


def test_a_regional_coordinator_needs_a_region_and_a_national_one_none():
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.appoint_coordinator(user=user, level=Coordinator.Level.REGION)
    with pytest.raises(ValidationError):
        services.appoint_coordinator(user=user, level=Coordinator.Level.NATION, region="84")
    coordinator = services.appoint_coordinator(
        user=user, level=Coordinator.Level.REGION, region="53"
    )
    assert str(coordinator) == "Coordination régionale — Bretagne"


def test_a_deactivated_coordinator_sees_nothing(client):
    coordinator = CoordinatorFactory(is_active=False)
    client.force_login(coordinator.user)
    assert client.get("/indicateurs/").status_code == 404


def test_the_command_stores_a_range_of_months():
    out = io.StringIO()
    call_command("rebuild_indicators", "--from", "2026-01", "--to", "2026-03", stdout=out)
    assert sorted(SnapshotRun.objects.values_list("month", flat=True)) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert "janvier 2026 : 0 chiffres" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rebuild_indicators", "--month", "2026-13", stdout=out)
