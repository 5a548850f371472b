"""Issue 21 §7, in a browser at 1280 px, clicking links only: the team table keeps its first
column in view and scrolls sideways; the bulk reassignment shows an empty reason next to the
field Motif with the ticks kept, then reassigns, then refuses a reassignment to the current
référent (never "0 parcours confiés"), its ticks kept; axe on every page and after every error."""

import pytest

from cep.models import Membership, Parcours
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.browser


def test_bulk_reassignment_errors_on_the_fields_ticks_kept_and_a_no_op_refused(
    live_server, transactional_db, page
):
    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    counsellor = make_membership(operator=operator)
    ParcoursFactory(operator=operator, referent=counsellor)
    orphans = {
        name: ParcoursFactory(
            operator=operator,
            beneficiary=BeneficiaryFactory(operator=operator, first_name=name),
            referent=None,
        )
        for name in ("Armelle", "Brieuc", "Corentin")
    }
    log_in(page, live_server.url, manager.user.username)

    page.get_by_role("link", name="Mon équipe", exact=True).first.click()
    page.get_by_role("heading", name="Mon équipe").wait_for()
    assert_no_serious_violations(page, "mon équipe")
    first_column = page.locator("#tableau-equipe tbody th").first
    assert first_column.evaluate("e => getComputedStyle(e).position") == "sticky"
    container = page.locator("#tableau-equipe .fr-table__container")
    assert container.evaluate("e => getComputedStyle(e).overflowX") == "scroll"
    # The whole table is reachable: the container scrolls to its last column, the first one
    # staying where it was.
    left_before = first_column.bounding_box()["x"]
    container.evaluate("e => e.scrollTo(e.scrollWidth, 0)")
    assert abs(first_column.bounding_box()["x"] - left_before) < 1
    last_header = page.locator("#tableau-equipe thead th").last
    box, frame = last_header.bounding_box(), container.bounding_box()
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1

    page.get_by_role(
        "link", name="Parcours à suivre (sans référent, sans activité, sans réponse)"
    ).click()
    page.get_by_role("heading", name="Parcours sans référent").wait_for()
    assert_no_serious_violations(page, "parcours sans référent")

    # An empty reason: the message under Motif, the ticks and the choice kept.
    page.get_by_label("Choisir le parcours de Armelle").press("Space")
    page.get_by_label("Choisir le parcours de Brieuc").press("Space")
    page.get_by_label("Nouveau référent").select_option(str(counsellor.pk))
    page.get_by_role("button", name="Réaffecter les parcours cochés").click()
    reason = page.get_by_label("Motif")
    reason.wait_for()
    page.locator(".fr-input-group--error").filter(has=reason).get_by_text(
        "Ce champ est obligatoire."
    ).wait_for()
    assert page.get_by_label("Choisir le parcours de Armelle").is_checked()
    assert page.get_by_label("Choisir le parcours de Brieuc").is_checked()
    assert not page.get_by_label("Choisir le parcours de Corentin").is_checked()
    assert page.get_by_label("Nouveau référent").input_value() == str(counsellor.pk)
    assert page.locator(".fr-alert--error").count() == 0
    assert_no_serious_violations(page, "réaffectation refusée : motif vide")
    assert set(
        Parcours.objects.filter(pk__in=[p.pk for p in orphans.values()]).values_list(
            "referent", flat=True
        )
    ) == {None}

    reason.fill("Nouvelles demandes de la semaine")
    page.get_by_role("button", name="Réaffecter les parcours cochés").click()
    page.get_by_text("2 parcours confiés").wait_for()

    # Armelle's parcours is the counsellor's now: confiding it to the counsellor again is
    # refused on the field, with the tick kept.
    page.get_by_role("link", name="Demandes sans réponse").click()
    page.get_by_role("heading", name="Demandes sans réponse").wait_for()
    page.get_by_label("Choisir le parcours de Armelle").press("Space")
    page.get_by_label("Nouveau référent").select_option(str(counsellor.pk))
    page.get_by_label("Motif").fill("Une fois de plus")
    page.get_by_role("button", name="Réaffecter les parcours cochés").click()
    message = f"{counsellor.display_name} est déjà le référent de ce parcours"
    page.locator(".fr-select-group--error").get_by_text(message).wait_for()
    assert page.get_by_label("Choisir le parcours de Armelle").is_checked()
    assert page.get_by_label("Motif").input_value() == "Une fois de plus"
    assert "confiés" not in page.content()
    assert_no_serious_violations(page, "réaffectation refusée : même référent")
    referents = dict(
        Parcours.objects.filter(pk__in=[p.pk for p in orphans.values()]).values_list(
            "beneficiary__first_name", "referent"
        )
    )
    assert referents == {"Armelle": counsellor.pk, "Brieuc": counsellor.pk, "Corentin": None}
