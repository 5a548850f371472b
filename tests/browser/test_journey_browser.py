"""Issue 21: the counsellor's journey, clicking only (after logging in, no URL is typed), axe on
every page; each hand-off lands on the next step and what was said before carries over.

Covered so far: intake → level 2 (lands on Demande, pre-filled from the intake) → skills from a
past job named "comptable" → the job explored in Métiers offered in Projet → agreement →
strategy → level 3 (lands on the plan). The rest of the issue's journey (plan with training and
funding, agreement, synthèse downloaded) is not written yet.
"""

import re

import pytest
from django.core.management import call_command

from devdata import DEMO_PASSWORD
from tests.browser.axe_check import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_intake_to_level_3_hand_offs(live_server, transactional_db, page):
    call_command("seed_demo")
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill("lea.moreau")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")

    # Intake, from the header's link to the requests of the day.
    page.get_by_role("link", name="Demandes du jour").first.click()
    page.get_by_role("link", name="Nouvelle demande").first.click()
    page.wait_for_url(re.compile(r"/accueil/demandes/nouvelle/"))
    page.get_by_label("Prénom").fill("Sylvie")
    page.get_by_label("Nom", exact=True).fill("Le Goff")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance").fill("1982-03-09")
    page.get_by_label("Département de résidence").select_option("35")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"etape=2"))
    page.get_by_label("Situation professionnelle").select_option(index=1)
    page.get_by_label("Contraintes de mobilité").press("Space")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"etape=3"))
    page.get_by_label("Canal").select_option("sur_site")
    page.get_by_label("Motif, dans les mots de la personne").fill(
        "Quitter la logistique pour la comptabilité."
    )
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url(re.compile(r"/accueil/demandes/\d+/$"))
    assert_no_serious_violations(page, "la page de la demande")

    # Level 2: the decision lands on Demande, pre-filled from the intake.
    page.get_by_role("link", name="Décider de la suite").click()
    page.get_by_label("Poursuit au niveau 2").check(force=True)
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    page.wait_for_url(re.compile(r"/conseil/parcours/\d+/demande/$"))
    assert page.get_by_text("Proposé d'après la demande du").is_visible()
    assert (
        page.get_by_label("Priorités, telles que la personne les exprime").input_value()
        == "Quitter la logistique pour la comptabilité."
    )
    assert_no_serious_violations(page, "la demande pré-remplie")

    # Skills from a past job, named as the person says it.
    page.get_by_role("link", name="Compétences", exact=True).click()
    page.get_by_role("combobox", name=re.compile("^Métier exercé")).fill("cariste")
    page.get_by_role("button", name="Voir ses compétences").click()
    page.wait_for_load_state()
    page.locator("input[name=skills]:not([disabled])").first.check(force=True)
    page.get_by_role("button", name="Ajouter les compétences cochées").click()
    page.wait_for_load_state()
    assert_no_serious_violations(page, "les compétences")

    # A job explored in Métiers, offered in Projet.
    page.get_by_role("link", name="Métiers", exact=True).click()
    page.get_by_role("combobox", name=re.compile("^Métier à explorer")).fill("comptable")
    page.get_by_role("button", name="Explorer ce métier").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=re.compile(r"^Écart avec .*Comptable")).is_visible()
    assert_no_serious_violations(page, "l'écart avec le métier")
    page.get_by_role("link", name="Proposer « Comptable » comme métier visé du projet").click()
    page.wait_for_url(re.compile(r"/conseil/parcours/\d+/projet/\?metier=M1203$"))
    assert page.get_by_label("Comptable", exact=True).is_checked()
    assert_no_serious_violations(page, "le projet proposé")
    page.get_by_label("Type de projet").select_option("reconversion")
    page.get_by_role("button", name="Enregistrer le projet").click()
    page.wait_for_url(re.compile(r"/conseil/parcours/\d+/projet/$"))
    assert page.get_by_text("Métiers visés : M1203 — Comptable").is_visible()

    # Agreement, then strategy.
    page.get_by_label("En présence").check(force=True)
    page.get_by_role("button", name="Enregistrer l'accord de la personne").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Stratégie", exact=True).click()
    page.get_by_label("Piste", exact=True).select_option("formation")
    page.get_by_label("Description", exact=True).fill("Titre professionnel de comptable assistant.")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="La personne retient cette piste").click()
    page.wait_for_load_state()
    assert_no_serious_violations(page, "la stratégie")

    # Level 3: the decision lands on the plan.
    page.get_by_role("button", name="Passer au niveau 3 : accompagnement").click()
    page.wait_for_url(re.compile(r"/accompagnement/parcours/\d+/plan/$"))
    assert page.get_by_text("Le parcours passe au niveau 3 : accompagnement.").is_visible()
    assert_no_serious_violations(page, "le plan d'action")
