"""The beneficiary space in a browser: the agreement flow end to end, and axe on every page of the
space at desktop width and at 375 px."""

import re
from pathlib import Path

import pytest
from django.core import mail

from cep.space import services
from tests.accompagnement.factories import ActionPlanFactory, PlanVersionFactory
from tests.browser.axe_check import assert_no_serious_violations
from tests.conseil.factories import ProjectVersionFactory
from tests.factories import PASSWORD, BeneficiaryAccountFactory, ParcoursFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/connexion/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")


def test_plan_agreed_from_the_space_then_synthese_downloaded(
    live_server, transactional_db, open_page, page
):
    parcours = ParcoursFactory(entry_level=3, beneficiary__first_name="Maëlle")
    ProjectVersionFactory(parcours=parcours, number=1, agreed=True)
    PlanVersionFactory(plan=ActionPlanFactory(parcours=parcours), number=1)
    account = BeneficiaryAccountFactory(beneficiary=parcours.beneficiary)
    plan_url = f"{live_server.url}/accompagnement/parcours/{parcours.pk}/plan/"

    # The counsellor drafts the plan.
    log_in(page, live_server.url, parcours.referent.user.username)
    page.goto(plan_url)
    page.get_by_role("link", name="Ajouter une étape").click()
    page.get_by_label("Étape", exact=True).fill("Rencontrer trois fleuristes")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(plan_url)

    # The person agrees from their phone.
    person = open_page(PHONE)
    log_in(person, live_server.url, account.user.username)
    assert person.url.endswith("/mon-espace/")
    assert "Rencontrer trois fleuristes" in person.content()
    assert_no_serious_violations(person, "mon espace, plan à valider (375 px)")
    person.get_by_role("button", name="J'accepte ce plan d'action (version 1)").click()
    person.get_by_text("Votre accord est enregistré").wait_for()

    # The counsellor sees the agreement, and prepares the synthèse.
    page.goto(plan_url)
    assert "depuis son espace personnel" in page.content()
    page.goto(f"{live_server.url}/synthese/parcours/{parcours.pk}/")
    page.get_by_role("button", name="Préparer une nouvelle version de la synthèse").click()
    page.get_by_role("link", name="Télécharger la version 1").wait_for()

    # The person downloads it from their space.
    person.goto(f"{live_server.url}/mon-espace/")
    link = person.get_by_role("link", name=re.compile("Document de synthèse, version 1"))
    with person.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["375", "1280"])
def test_every_page_of_the_space_is_axe_clean(
    live_server, transactional_db, open_page, viewport, settings
):
    settings.SITE_URL = live_server.url
    parcours = ParcoursFactory(entry_level=2, beneficiary__email="maelle@exemple.invalid")
    ProjectVersionFactory(parcours=parcours, number=1)
    invited = ParcoursFactory(beneficiary__email="noe@exemple.invalid")
    services.invite_beneficiary(membership=invited.referent, beneficiary=invited.beneficiary)
    invitation_url = re.search(r"http://\S+/mon-espace/invitation/\S+/", mail.outbox[0].body)[0]
    account = BeneficiaryAccountFactory(beneficiary=parcours.beneficiary)

    page = open_page(viewport)
    page.goto(invitation_url)
    assert_no_serious_violations(page, "créer mon espace")
    page.goto(f"{live_server.url}/mon-espace/invitation/inconnu/")
    assert_no_serious_violations(page, "invitation invalide")
    log_in(page, live_server.url, account.user.username)
    for path, label in [
        ("/mon-espace/", "mon espace"),
        ("/mon-espace/consentements/", "mes consentements"),
        ("/mon-espace/mes-donnees/", "mes données"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_no_serious_violations(page, label)
        # Mobile first: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.goto(f"{live_server.url}/mon-espace/consentements/")
    page.get_by_role("button", name=re.compile("Donner mon accord : recevoir")).click()
    page.get_by_text("Reçu n°").first.wait_for()
    assert_no_serious_violations(page, "reçu de consentement")
