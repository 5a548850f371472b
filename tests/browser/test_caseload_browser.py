"""A conseiller logs in through the real form, opens the caseload and a beneficiary page.

Axe checks each page for serious or critical accessibility violations.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from cep.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOT = "/tmp/caseload.png"


def assert_no_serious_violations(page, label):
    results = Axe().run(page)
    violations = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]
    lines = []
    for violation in violations:
        impact, rule, help_text = violation["impact"], violation["id"], violation["help"]
        lines.append(f"[{impact}] {rule}: {help_text} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    assert not violations, f"axe on {label} ({page.url}):\n" + "\n".join(lines)


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
