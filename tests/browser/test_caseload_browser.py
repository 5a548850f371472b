"""A conseiller logs in through the real form, opens the caseload and a beneficiary page.

Axe checks each page for serious or critical accessibility violations.
"""

import re

import pytest
from django.core.management import call_command

from devdata import DEMO_PASSWORD
from tests.browser.axe_check import assert_no_serious_violations

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/caseload.png"


def test_conseiller_reads_caseload_and_beneficiary(live_server, transactional_db, page):
    call_command("seed_demo")

    # Login page, submitted from the keyboard (Enter in the password field), not by clicking.
    page.goto(f"{live_server.url}/connexion/")
    assert page.get_by_role("heading", level=1, name="Connexion").is_visible()
    assert_no_serious_violations(page, "la page de connexion")
    page.locator("input[name=username]").fill("claire.martin")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")

    # Caseload.
    page.wait_for_url(re.compile(r"/beneficiaires/$"))
    assert page.get_by_role("heading", level=1, name="Mon portefeuille").is_visible()
    table = page.locator("#portefeuille table")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    page.screenshot(path=SCREENSHOT, full_page=False)
    assert_no_serious_violations(page, "le portefeuille")

    # First beneficiary.
    first_link = rows.first.get_by_role("link")
    link_text = " ".join(first_link.inner_text().split())
    first_link.click()
    page.wait_for_url(re.compile(r"/beneficiaires/\d+/$"))
    heading = page.get_by_role("heading", level=1)
    assert heading.is_visible()
    # The caseload shows "LASTNAME Firstname", the page's h1 "Firstname LASTNAME".
    assert set(heading.inner_text().split()) == set(link_text.split())
    assert page.get_by_role("heading", level=2, name="Parcours").is_visible()
    assert_no_serious_violations(page, "la fiche bénéficiaire")
