"""A regional coordinator chooses a quarter with the keyboard and reads the dashboard: charts
with their data tables, masked small counts; axe on the manager's and the coordinator's pages."""

import pytest

from cep.models import Membership
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import CoordinatorFactory, make_membership
from tests.indicateurs.dataset import build

pytestmark = pytest.mark.browser


def test_a_coordinator_reads_a_quarter(live_server, transactional_db, page):
    data = build()
    coordinator = CoordinatorFactory(region="84")
    log_in(page, live_server.url, coordinator.user.username)
    # Home takes a coordinator straight to the indicators.
    assert page.url.endswith("/indicateurs/")
    assert_no_serious_violations(page, "indicateurs d'une coordination régionale")

    page.locator("#id_periode").select_option("trimestre")
    page.locator("#id_annee").fill("2026")
    page.locator("#id_trimestre").select_option("1")
    with page.expect_navigation():
        page.locator("#id_annee").press("Enter")
    page.get_by_role("heading", name="1ᵉʳ trimestre 2026").wait_for()
    # Six parcours started in the quarter: below 11, masked.
    figure = page.locator("#chiffres-cles li", has_text="Parcours commencés")
    assert figure.locator("strong").inner_text() == "s"
    chart = page.locator("figure svg[role=img]").first
    assert chart.get_attribute("aria-labelledby")
    assert page.locator("#tableau-evolution-entrees table").is_visible()
    assert "Opérateur B" not in page.content()
    assert_no_serious_violations(page, "un trimestre, coordination régionale")

    manager = make_membership(operator=data.operator_a, role=Membership.Role.MANAGER)
    page.context.clear_cookies()
    log_in(page, live_server.url, manager.user.username)
    page.goto(f"{live_server.url}/indicateurs/?periode=mois&mois=2026-03")
    assert (
        page.locator("#chiffres-cles li", has_text="Parcours commencés")
        .locator("strong")
        .inner_text()
        == "4"
    )
    assert_no_serious_violations(page, "indicateurs d'un manager")
    page.goto(f"{live_server.url}/indicateurs/?periode=mois&mois=2026-13")
    assert "Saisissez un mois au format AAAA-MM" in page.content()
    assert_no_serious_violations(page, "période mal saisie")
