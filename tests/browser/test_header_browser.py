"""The DSFR header works at every width: on a 375 px phone, "Se déconnecter" sits behind the
"Menu" button for a beneficiary, a coordinator and a counsellor; the login page, which has no
navigation, still has its menu. The open_page fixture fails the test on any console error
(DSFR's script throws on a header without its menu block)."""

import pytest

from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.conftest import PHONE
from tests.browser.login import log_in
from tests.factories import (
    BeneficiaryAccountFactory,
    CoordinatorFactory,
    ParcoursFactory,
    make_membership,
)

pytestmark = pytest.mark.browser


def beneficiary():
    return BeneficiaryAccountFactory(beneficiary=ParcoursFactory().beneficiary).user


def coordinator():
    return CoordinatorFactory(region="84").user


def counsellor():
    return ParcoursFactory().referent.user


@pytest.mark.parametrize("person", [beneficiary, coordinator, counsellor])
def test_every_role_logs_out_from_a_phone(live_server, transactional_db, open_page, person):
    user = person()
    phone = open_page(PHONE)
    log_in(phone, live_server.url, user.username)
    header_logout = phone.locator(".fr-header__tools").get_by_role("button", name="Se déconnecter")
    assert not header_logout.is_visible()  # below 992 px the tools move into the menu
    phone.get_by_role("button", name="Menu").click()
    menu = phone.locator("#menu-principal")
    logout = menu.get_by_role("button", name="Se déconnecter")
    logout.wait_for(state="visible")
    overflowing = menu.locator(".fr-header__menu-links .fr-btn").evaluate_all(
        "buttons => buttons.filter(b => b.scrollWidth > b.clientWidth).map(b => b.textContent)"
    )
    assert not overflowing, overflowing  # a long label (a region's name) wraps
    assert_no_serious_violations(phone, f"menu ouvert à 375 px ({person.__name__})")
    with phone.expect_navigation():
        logout.click()
    assert phone.url.endswith("/connexion/")
    # Logged out: the space is no longer reachable.
    phone.goto(f"{live_server.url}/")
    assert "/connexion/" in phone.url


def test_the_login_page_has_a_working_menu_on_a_phone(live_server, transactional_db, open_page):
    phone = open_page(PHONE)
    phone.goto(f"{live_server.url}/connexion/")
    phone.get_by_role("button", name="Menu").click()
    phone.locator("#menu-principal").get_by_role("link", name="Se connecter").wait_for()
    phone.keyboard.press("Escape")  # the modal closes with the keyboard
    phone.locator("#menu-principal").get_by_role("link", name="Se connecter").wait_for(
        state="hidden"
    )


def test_the_desktop_header_keeps_logout_in_view(live_server, transactional_db, page):
    membership = make_membership(operator=ParcoursFactory().operator)
    log_in(page, live_server.url, membership.user.username)
    page.locator(".fr-header__tools").get_by_role("button", name="Se déconnecter").wait_for()
    assert not page.get_by_role("button", name="Menu").is_visible()
