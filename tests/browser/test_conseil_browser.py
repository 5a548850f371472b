"""A conseiller works in the level-2 workspace: every tab, from the keyboard, checked by axe."""

import re

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from conseil.models import DemandClarification
from devdata import DEMO_PASSWORD
from tests.browser.axe_check import assert_no_serious_violations

pytestmark = pytest.mark.browser

TABS = ["Entretiens", "Demande", "Compétences", "Métiers", "Projet", "Stratégie"]


def test_level_2_workspace(live_server, transactional_db, page):
    call_command("seed_demo")
    with scopes_disabled():
        clarification = DemandClarification.objects.select_related(
            "parcours__referent__user"
        ).first()
        parcours = clarification.parcours
        username = parcours.referent.user.username
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    page.goto(f"{live_server.url}/conseil/parcours/{parcours.pk}/")
    for tab in TABS:
        page.get_by_role("link", name=tab, exact=True).click()
        page.wait_for_load_state()
        assert (
            page.get_by_role("link", name=tab, exact=True).get_attribute("aria-current") == "page"
        )
        assert_no_serious_violations(page, f"l'onglet {tab}")

    # The jobs tab shows the gap to the project's target job, with the ROME attribution.
    page.get_by_role("link", name="Métiers", exact=True).click()
    assert page.get_by_text("Source : France Travail, ROME 4.0").is_visible()
    assert page.get_by_role("heading", name=re.compile(r"^Écart avec ")).is_visible()

    # Add a skill in the person's words, from the keyboard only.
    page.get_by_role("link", name="Compétences", exact=True).click()
    page.get_by_label("Compétence, dans les mots de la personne").fill("Parler en public")
    page.get_by_label("Acquise par").select_option("vie")
    page.get_by_label("Compétence, dans les mots de la personne").press("Enter")
    page.wait_for_load_state()
    assert page.locator("#competences").get_by_text("Parler en public").is_visible()
