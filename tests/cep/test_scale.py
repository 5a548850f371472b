"""The scale generator: exact sizes, consistent records, the same rows for the same seed."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Max, Min

from cep.models import Beneficiary, Membership, Operator, Parcours, Service
from devdata.scale import PASSWORD, Sizes, generate
from tests.second_factor import verify_second_factor

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


def test_the_sizes_asked_are_the_sizes_loaded():
    result = generate(Sizes(operators=5, beneficiaries=250, services=1200, seed=3), today=TODAY)
    assert result["counts"]["cep.Operator"] == 5
    assert Operator.objects.count() == 5
    assert Beneficiary.objects.count() == 250
    assert Parcours.objects.count() == 250
    assert Service.objects.count() == 1200
    # Every kind of operator, each in a region.
    assert Operator.objects.values("kind").distinct().count() == 5
    # Services between the opening and the end of their parcours, three years at most.
    span = Service.objects.aggregate(first=Min("delivered_on"), last=Max("delivered_on"))
    assert span["last"] <= TODAY and span["first"] >= TODAY - timedelta(days=3 * 365)
    assert not Service.objects.filter(delivered_on__lt=F("parcours__opened_on")).exists()
    assert not Service.objects.filter(delivered_on__gt=F("parcours__closed_on")).exists()
    # Level dates follow the levels.
    assert not Parcours.objects.filter(current_level=3, level_3_on=None).exists()
    assert not Parcours.objects.filter(
        current_level=2, entry_level__lte=2, level_2_on=None
    ).exists()
    assert Parcours.objects.filter(current_level=3).exists()
    assert Parcours.objects.filter(closed_on__isnull=False).exists()


def test_the_staff_generated_can_log_in(client):
    generate(Sizes(operators=2, beneficiaries=40, services=100, seed=4), today=TODAY)
    manager = Membership.objects.filter(role="manager").select_related("user").first()
    assert client.login(username=manager.user.username, password=PASSWORD)
    # A manager is asked a second factor first.
    assert client.get("/gestion/equipe/").url.startswith("/connexion/code/")
    session = client.session
    verify_second_factor(session, manager.user)
    session.save()
    assert client.get("/gestion/equipe/").status_code == 200


def snapshot() -> list:
    return list(
        Parcours.objects.order_by("pk").values_list(
            "pk", "beneficiary__last_name", "beneficiary__birth_date", "opened_on", "closed_on"
        )
    )


def test_the_same_seed_gives_the_same_rows():
    runs = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            result = generate(
                Sizes(operators=3, beneficiaries=60, services=200, seed=seed), today=TODAY
            )
            runs.append((result["digest"], snapshot()))
            transaction.set_rollback(True)  # the next run starts from the same empty tables
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0] and runs[0][1] != runs[2][1]


def test_the_command(capsys):
    call_command("generate_scale_data", "--operators", "2", "--beneficiaries", "30")
    assert Beneficiary.objects.count() == 30
    assert "Données générées" in capsys.readouterr().out
