"""The header search in a browser: typed in the header of a staff page, Enter opens the first
result (the person's file); the page of every result, grouped, reached by the search button of
that page; axe on both, at desktop width and on a phone (where the search sits behind the
header's "Rechercher" button)."""

import pytest

from tests.accueil.factories import IntakeRequestFactory
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.conftest import PHONE
from tests.browser.login import log_in
from tests.factories import BeneficiaryFactory, ParcoursFactory

pytestmark = pytest.mark.browser


def eloise():
    person = BeneficiaryFactory(first_name="Éloïse", last_name="Lefèvre", phone="06 12 34 56 78")
    parcours = ParcoursFactory(operator=person.operator, beneficiary=person)
    IntakeRequestFactory(parcours=parcours)
    BeneficiaryFactory(operator=person.operator, first_name="Paul", last_name="Lefebvre")
    return person, parcours.referent


def test_enter_in_the_header_opens_the_first_result(live_server, transactional_db, page):
    person, counsellor = eloise()
    log_in(page, live_server.url, counsellor.user.username)
    search = page.locator("#recherche-entete").get_by_label(
        "Rechercher une personne, une demande ou une session"
    )
    search.fill("lefevre eloise")
    assert_no_serious_violations(page, "en-tête, recherche saisie")
    with page.expect_navigation():
        search.press("Enter")
    assert page.url.endswith(f"/beneficiaires/{person.pk}/"), page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Éloïse LEFÈVRE"

    # Without a first result, the page of the results says so; its own search lists them all.
    search = page.locator("#recherche-entete").get_by_label(
        "Rechercher une personne, une demande ou une session"
    )
    search.fill("zzzz")
    with page.expect_navigation():
        search.press("Enter")
    assert page.get_by_role("status").filter(has_text="Aucun résultat").is_visible()
    results_search = page.locator("form[role=search]").last
    results_search.get_by_label("Rechercher une personne, une demande ou une session").fill(
        "0612345678"
    )
    with page.expect_navigation():
        results_search.get_by_role("button", name="Rechercher").click()
    beneficiaries = page.get_by_role("region", name="Bénéficiaires (1)")
    assert beneficiaries.get_by_role("link", name="Éloïse Lefèvre").is_visible()
    assert page.get_by_role("region", name="Demandes (1)").is_visible()
    assert page.get_by_role("region", name="Sessions collectives (0)").is_visible()
    assert_no_serious_violations(page, "résultats de la recherche")
    with page.expect_navigation():
        beneficiaries.get_by_role("link", name="Éloïse Lefèvre").click()
    assert page.url.endswith(f"/beneficiaires/{person.pk}/")


def test_the_search_on_a_phone(live_server, transactional_db, open_page):
    person, counsellor = eloise()
    phone = open_page(PHONE)
    log_in(phone, live_server.url, counsellor.user.username)
    phone.get_by_role("button", name="Rechercher").first.click()
    search = phone.locator("#recherche-entete").get_by_label(
        "Rechercher une personne, une demande ou une session"
    )
    search.wait_for(state="visible")
    search.fill("Lefvre")
    assert_no_serious_violations(phone, "recherche ouverte à 375 px")
    with phone.expect_navigation():
        search.press("Enter")
    assert phone.url.endswith(f"/beneficiaires/{person.pk}/"), phone.url
