"""Issue 21 §3: each role lands on its own page, and each staff home shows an "À traiter"
block of counts with links (requests of the day, transfers awaiting a decision, the
counsellor's own alerts), each count one query, on a dataset written by hand."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cep.continuity import services as continuity
from cep.home import todo_for
from cep.middleware import operator_permissions
from cep.models import Membership
from tests.accueil.factories import IntakeRequestFactory
from tests.factories import (
    BeneficiaryAccountFactory,
    CoordinatorFactory,
    OperatorFactory,
    ParcoursFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db


class Day:
    """Two operators. Operator B received two requests today and one yesterday; operator A
    one today. A's counsellor proposes a transfer of one parcours to B; a second transfer to
    B was refused already (it waits for no one).

    Expected on B's homes: requests of the day 2; transfers awaiting a decision 1, shown to
    B's manager only. On A's counsellor's home: requests of the day 1, no transfer count."""

    def __init__(self):
        today = timezone.localdate()
        self.a = OperatorFactory(name="Opérateur Origine")
        self.b = OperatorFactory(name="Opérateur Accueil")
        self.a_counsellor = make_membership(operator=self.a)
        self.b_manager = make_membership(operator=self.b, role=Membership.Role.MANAGER)
        self.b_counsellor = make_membership(operator=self.b)
        for days_ago in (0, 0, 1):
            IntakeRequestFactory(
                operator=self.b,
                parcours=ParcoursFactory(
                    operator=self.b,
                    referent=self.b_counsellor,
                    opened_on=today - timedelta(days=days_ago),
                    last_contact_on=today - timedelta(days=days_ago),
                ),
            )
        IntakeRequestFactory(
            operator=self.a,
            parcours=ParcoursFactory(
                operator=self.a, referent=self.a_counsellor, opened_on=today, last_contact_on=today
            ),
        )
        moving, refused = (
            ParcoursFactory(operator=self.a, referent=self.a_counsellor, last_contact_on=today)
            for _ in range(2)
        )
        with scope(operator=self.a.pk):
            self.transfer = self.propose(moving)
            other = self.propose(refused)
        with scope(operator=self.b.pk):
            continuity.refuse_transfer(
                membership=self.b_manager, transfer_id=other.pk, reason="Hors de notre territoire."
            )

    def propose(self, parcours):
        return continuity.propose_transfer(
            membership=self.a_counsellor,
            parcours=parcours,
            target_operator=self.b,
            reason="La personne déménage.",
            categories=["identite", "situation"],
            consent_evidence="Accord oral en entretien",
        )


@pytest.fixture
def day():
    return Day()


def todo_block(page: str) -> str:
    start = page.index('id="titre-a-traiter"')
    return page[start : page.index("</section>", start)]


def test_each_role_lands_on_its_own_page(day, login_as, client):
    assert login_as(day.b_manager).get("/").url == reverse("manager_team")
    assert login_as(day.b_counsellor).get("/").url == reverse("caseload")
    coordinator = CoordinatorFactory()
    client.force_login(coordinator.user)
    assert client.get("/").url == reverse("indicateurs:dashboard")
    account = BeneficiaryAccountFactory()
    client.force_login(account.user)
    assert client.get("/").url == reverse("space:home")


def test_the_managers_home_tells_of_the_transfer_waiting_for_them(day, login_as):
    block = todo_block(login_as(day.b_manager).get(reverse("manager_team")).content.decode())
    requests = reverse("accueil:requests")
    assert f'href="{requests}">Demandes du jour : 2<' in block
    assert f'href="{reverse("transfers_incoming")}">Transferts en attente de décision : 1<' in block


def test_the_counsellors_home_counts_the_requests_of_their_operator(day, login_as):
    b_block = todo_block(login_as(day.b_counsellor).get(reverse("caseload")).content.decode())
    assert "Demandes du jour : 2<" in b_block
    assert "Transferts" not in b_block
    assert "Parcours sans activité : 0<" in b_block and "Parcours en retard : 0<" in b_block
    a_block = todo_block(login_as(day.a_counsellor).get(reverse("caseload")).content.decode())
    assert "Demandes du jour : 1<" in a_block and "Transferts" not in a_block


def test_each_count_is_one_query_then_cached(day, settings):
    today = timezone.localdate()
    permissions = operator_permissions(day.b_manager.user, day.b_manager)
    with scope(operator=day.b.pk), CaptureQueriesContext(connection) as queries:
        items = todo_for(day.b_manager, permissions, today)
    assert [(i.label, i.count) for i in items] == [
        ("Demandes du jour", 2),
        ("Transferts en attente de décision", 1),
        ("Parcours sans activité", 0),
        ("Parcours en retard", 0),
    ]
    assert len(queries) == len(items)
    settings.HOME_ALERTS_CACHE_SECONDS = 60
    with scope(operator=day.b.pk):
        todo_for(day.b_manager, permissions, today)
        with CaptureQueriesContext(connection) as queries:
            assert todo_for(day.b_manager, permissions, today) == items
    assert len(queries) == 0
