"""One file per person, in a browser: at intake, a person who may already have a file is warned
at the first step; the counsellor opens the existing file, or confirms another person and goes
on. A manager finds the pair in the likely duplicates and merges the two files. Axe checks each
new page."""

import re
from datetime import date

import pytest
from django_scopes import scopes_disabled

from cep.models import Beneficiary, Membership
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.browser


@pytest.fixture
def karine(transactional_db):
    operator = OperatorFactory()
    with scopes_disabled():
        existing = BeneficiaryFactory(
            operator=operator,
            first_name="Karine",
            last_name="Lemoine",
            birth_date=date(1985, 3, 14),
        )
        counsellor = make_membership(operator=operator)
        ParcoursFactory(beneficiary=existing, referent=counsellor, closed=True)
    return existing, counsellor


def start_intake(page, base_url, counsellor):
    log_in(page, base_url, counsellor.user.username)
    page.goto(f"{base_url}/accueil/demandes/")
    page.get_by_role("link", name="Nouvelle demande").first.click()
    page.wait_for_url(re.compile(r"/accueil/demandes/nouvelle/"))
    page.get_by_label("Prénom").fill("Karine")
    page.get_by_label("Nom", exact=True).fill("LÉMOINE")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance").fill("1985-03-14")
    page.get_by_label("Département de résidence").select_option("69")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("heading", name="Cette personne a peut-être déjà un dossier").wait_for()


def test_a_duplicate_is_warned_at_intake_and_the_counsellor_opens_the_file(
    live_server, karine, page
):
    existing, counsellor = karine
    start_intake(page, live_server.url, counsellor)
    # What was typed stays; nothing was saved.
    assert page.get_by_label("Nom", exact=True).input_value() == "LÉMOINE"
    row = page.locator("table").filter(has_text="Dossiers existants").locator("tbody tr")
    assert row.count() == 1
    assert "14/03/1985" in row.inner_text()
    assert "Nom proche et même date de naissance" in row.inner_text()
    assert_no_serious_violations(page, "l'avertissement de doublon à l'accueil")
    page.get_by_role("link", name="Karine Lemoine").click()
    page.wait_for_url(re.compile(rf"/beneficiaires/{existing.pk}/$"))
    assert "Karine" in page.get_by_role("heading", level=1).inner_text()
    with scopes_disabled():
        assert Beneficiary.objects.count() == 1


def test_the_counsellor_confirms_another_person_and_the_request_is_saved(live_server, karine, page):
    _, counsellor = karine
    start_intake(page, live_server.url, counsellor)
    page.get_by_label("C'est une autre personne").press("Space")
    assert page.get_by_label("C'est une autre personne").is_checked()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"etape=2"))
    page.get_by_label("Situation professionnelle").select_option("salarie_cdi")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"etape=3"))
    page.get_by_label("Canal").select_option("sur_site")
    page.get_by_label("Motif, dans les mots de la personne").fill("Changer de métier.")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url(re.compile(r"/accueil/demandes/\d+/$"))
    with scopes_disabled():
        assert Beneficiary.objects.count() == 2


def test_a_manager_merges_a_likely_duplicate(live_server, karine, page):
    existing, _ = karine
    with scopes_disabled():
        other = BeneficiaryFactory(
            operator=existing.operator,
            first_name="Karine",
            last_name="Lemoinne",
            birth_date=date(1985, 3, 14),
        )
        manager = make_membership(operator=existing.operator, role=Membership.Role.MANAGER)
    log_in(page, live_server.url, manager.user.username)
    page.goto(f"{live_server.url}/gestion/equipe/")
    page.get_by_role("link", name="Doublons probables").click()
    page.wait_for_url(re.compile(r"/gestion/doublons/$"))
    assert_no_serious_violations(page, "la liste des doublons probables")
    page.get_by_role("link", name=re.compile("^Comparer")).click()
    page.wait_for_url(re.compile(r"/fusion/\?avec="))
    assert_no_serious_violations(page, "la page de fusion")
    # DSFR draws the radio under its label: the person clicks the label.
    page.get_by_text(f"Conserver le dossier n° {existing.pk} (").click()
    assert page.get_by_label(re.compile(f"Conserver le dossier n° {existing.pk} ")).is_checked()
    page.get_by_role("button", name="Fusionner les deux dossiers").click()
    page.wait_for_url(re.compile(rf"/beneficiaires/{existing.pk}/$"))
    assert page.get_by_text("Les deux dossiers sont fusionnés").is_visible()
    with scopes_disabled():
        other.refresh_from_db()
        assert other.merged_into_id == existing.pk
