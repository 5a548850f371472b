"""A conseiller records a request through the three-step intake, then visits the level-1 pages.

Axe checks every new page for serious or critical accessibility violations.
"""

import re
from datetime import date

import pytest
from django.core.management import call_command

from devdata import DEMO_PASSWORD
from tests.browser.axe_check import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_conseiller_records_a_request(live_server, transactional_db, page):
    call_command("seed_demo")
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill("lea.moreau")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")

    page.goto(f"{live_server.url}/accueil/demandes/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Demandes du")
    assert_no_serious_violations(page, "les demandes du jour")

    page.get_by_role("link", name="Nouvelle demande").first.click()
    page.wait_for_url(re.compile(r"/accueil/demandes/nouvelle/"))
    assert_no_serious_violations(page, "l'étape 1 de la demande")
    page.get_by_label("Prénom").fill("Gwenaëlle")
    page.get_by_label("Nom", exact=True).fill("Kerbrat")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance").fill("2004-05-17")
    page.get_by_label("Département de résidence").select_option("35")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url(re.compile(r"etape=2"))
    assert_no_serious_violations(page, "l'étape 2 de la demande")
    page.get_by_label("Situation professionnelle").select_option("de_a")
    # DSFR draws the checkbox under its label: tick it from the keyboard, as a user would.
    page.get_by_label("Contraintes de mobilité").press("Space")
    assert page.get_by_label("Contraintes de mobilité").is_checked()
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url(re.compile(r"etape=3"))
    # Under 26 and a job seeker: the demo rules suggest the mission locale.
    assert page.get_by_text("Structure suggérée : Mission locale du Pays de Rennes").is_visible()
    assert_no_serious_violations(page, "l'étape 3 de la demande")
    page.get_by_label("Canal").select_option("sur_site")
    page.get_by_label("Motif, dans les mots de la personne").fill(
        "Je cherche une formation d'aide-soignante."
    )
    page.get_by_role("button", name="Enregistrer la demande").click()

    page.wait_for_url(re.compile(r"/accueil/demandes/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Demande de Gwenaëlle KERBRAT"
    assert page.get_by_text(f"Reçue le {date.today():%d/%m/%Y}").count() >= 1
    assert_no_serious_violations(page, "la page de la demande")

    page.get_by_role("link", name="Orienter vers une structure").click()
    assert_no_serious_violations(page, "le formulaire d'orientation")

    page.goto(f"{live_server.url}/accueil/sessions/")
    assert_no_serious_violations(page, "le calendrier des sessions")
    page.locator("main ul li a").first.click()
    page.wait_for_url(re.compile(r"/accueil/sessions/\d+/$"))
    assert page.locator("#inscrits table tbody tr").count() == 5
    assert_no_serious_violations(page, "la page d'une session")
