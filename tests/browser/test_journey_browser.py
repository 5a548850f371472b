"""Issue 21: the counsellor's journey, clicking only (after logging in, no URL is typed), axe on
every page; each hand-off lands on the next step and what was said before carries over.

intake → level 2 (lands on Demande, pre-filled from the intake) → skills from a past job named
"cariste" → "comptable" explored in Métiers, offered in Projet → agreement → strategy → level 3
(lands on the plan) → a training path and two funders → the person's agreement → synthèse
prepared (rendered by calling the worker's service) and downloaded.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from devdata import DEMO_PASSWORD
from synthese import services
from synthese.models import SynthesisDocument
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
    plan_url = page.url

    # The plan: a training path and two funders, then the person's agreement.
    page.get_by_role("link", name="Parcours de formation").click()
    page.get_by_label("Organisme de formation").fill("Institut fictif de Rennes")
    page.get_by_label("Organisme choisi par la personne").press("Space")
    page.get_by_label("Certification visée").fill("Titre professionnel comptable assistant")
    page.get_by_label("Modalité").select_option("mixte")
    page.get_by_label("Coût", exact=True).fill("4200")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(plan_url)
    for scheme, amount in (("cpf", "1500"), ("region", "2700")):
        page.get_by_role("link", name="Solliciter un financeur").click()
        page.get_by_label("Ligne de coût").select_option(index=1)
        page.get_by_label("Financeur sollicité").select_option(scheme)
        page.get_by_label("Montant demandé").fill(amount)
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(plan_url)
    assert_no_serious_violations(page, "le plan avec sa formation et ses financeurs")
    page.get_by_label("En présence").check(force=True)
    page.get_by_role("button", name="Enregistrer l'accord sur ce plan").click()
    page.wait_for_load_state()

    # The synthèse, prepared (what the worker does) and downloaded.
    page.get_by_role("link", name=re.compile("^Document de synthèse")).click()
    page.wait_for_url(re.compile(r"/synthese/parcours/\d+/$"))
    assert_no_serious_violations(page, "la synthèse")
    page.get_by_role("button", name="Préparer une nouvelle version de la synthèse").click()
    page.wait_for_load_state()
    with scopes_disabled():
        document = SynthesisDocument.objects.order_by("-pk").first()  # the one just asked for
    services.render_synthesis(document_id=document.pk)  # what the worker does
    link = page.get_by_role("link", name="Télécharger la version 1")
    link.wait_for()  # the row updates itself (htmx)
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename == "synthese-v1.pdf"
