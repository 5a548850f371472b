"""Issue 21 §2 and §3 in a browser: a counsellor sorts and filters their caseload by clicking
(the sort and filters stay in the URL), follows an "À traiter" count; a manager of the receiving
operator lands on their team and follows the count of the transfer waiting for them. Axe on each
page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from cep.continuity import services as continuity
from cep.models import Membership
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.browser


def surnames(page) -> list[str]:
    cells = page.locator("#portefeuille tbody tr td:first-child").all_inner_texts()
    return [cell.split()[0] for cell in cells]


def test_a_counsellor_sorts_filters_and_follows_a_count(live_server, transactional_db, page):
    today = timezone.localdate()
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    for last, opened, contact in (("Quéré", 10, 2), ("Abgrall", 30, 5), ("Le Gall", 100, None)):
        ParcoursFactory(
            operator=operator,
            referent=counsellor,
            beneficiary=BeneficiaryFactory(operator=operator, last_name=last),
            opened_on=today - timedelta(days=opened),
            last_contact_on=None if contact is None else today - timedelta(days=contact),
        )
    log_in(page, live_server.url, counsellor.user.username)
    page.wait_for_url(re.compile(r"/beneficiaires/$"))
    assert surnames(page) == ["QUÉRÉ", "ABGRALL", "LE"]  # newest opened first
    assert_no_serious_violations(page, "le portefeuille")

    page.get_by_role("link", name=re.compile("^Bénéficiaire")).click()
    page.wait_for_url(re.compile(r"tri=nom"))
    assert surnames(page) == ["ABGRALL", "LE", "QUÉRÉ"]
    header = page.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending"
    assert_no_serious_violations(page, "le portefeuille trié par nom")

    page.get_by_role("link", name=re.compile("^Dernier contact")).click()
    page.wait_for_url(re.compile(r"tri=-contact"))
    assert surnames(page) == ["QUÉRÉ", "ABGRALL", "LE"]  # never contacted: last

    page.get_by_label("Alerte").select_option(label="Sans activité")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"alerte=sans-activite"))
    assert "tri=-contact" in page.url  # the sort is kept with the filter
    assert surnames(page) == ["LE"]
    assert page.locator("#portefeuille").get_by_text("Sans activité").is_visible()
    assert_no_serious_violations(page, "le portefeuille filtré")

    page.get_by_role("link", name="Mon portefeuille").first.click()
    page.get_by_role("link", name="Parcours sans activité : 1").click()
    page.wait_for_url(re.compile(r"alerte=sans-activite"))
    assert surnames(page) == ["LE"]


def test_the_receiving_manager_lands_on_the_team_and_sees_the_transfer(
    live_server, transactional_db, page
):
    origin, receiving = OperatorFactory(), OperatorFactory(name="Opérateur Accueil")
    sender = make_membership(operator=origin)
    manager = make_membership(operator=receiving, role=Membership.Role.MANAGER)
    parcours = ParcoursFactory(operator=origin, referent=sender)
    with scope(operator=origin.pk):
        continuity.propose_transfer(
            membership=sender,
            parcours=parcours,
            target_operator=receiving,
            reason="La personne déménage.",
            categories=["identite", "situation"],
            consent_evidence="Accord oral en entretien",
        )
    log_in(page, live_server.url, manager.user.username)
    page.wait_for_url(re.compile(r"/gestion/equipe/$"))
    assert page.get_by_role("heading", level=1, name="Mon équipe").is_visible()
    assert_no_serious_violations(page, "l'accueil du manager")
    page.get_by_role("link", name="Transferts en attente de décision : 1").click()
    page.wait_for_url(re.compile(r"/transferts/$"))
    assert_no_serious_violations(page, "les transferts entrants")
