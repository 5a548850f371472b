"""A manager reassigns two parcours without référent from the list, in a browser; axe on the
managers' pages."""

import pytest

from cep.models import Membership, Parcours
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import (
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    make_membership,
)

pytestmark = pytest.mark.browser


def test_a_manager_reassigns_two_parcours(live_server, transactional_db, page):
    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    counsellor = make_membership(operator=operator)
    ParcoursFactory(operator=operator, referent=counsellor)
    orphans = [
        ParcoursFactory(
            operator=operator,
            beneficiary=BeneficiaryFactory(operator=operator, first_name=name),
            referent=None,
        )
        for name in ("Armelle", "Brieuc", "Corentin")
    ]
    log_in(page, live_server.url, manager.user.username)

    page.goto(f"{live_server.url}/gestion/equipe/")
    assert counsellor.display_name in page.content()
    assert_no_serious_violations(page, "mon équipe")
    page.goto(f"{live_server.url}/gestion/equipe/{counsellor.pk}/")
    assert_no_serious_violations(page, "portefeuille d'un conseiller")

    page.goto(f"{live_server.url}/gestion/a-suivre/?liste=sans-referent")
    assert_no_serious_violations(page, "parcours sans référent")
    page.get_by_label("Choisir le parcours de Armelle").press("Space")
    page.get_by_label("Choisir le parcours de Brieuc").press("Space")
    page.get_by_label("Nouveau référent").select_option(str(counsellor.pk))
    page.get_by_label("Motif").fill("Nouvelles demandes de la semaine")
    page.get_by_role("button", name="Réaffecter les parcours cochés").click()
    page.get_by_text("2 parcours confiés").wait_for()

    referents = dict(
        Parcours.objects.filter(pk__in=[p.pk for p in orphans]).values_list(
            "beneficiary__first_name", "referent"
        )
    )
    assert referents == {"Armelle": counsellor.pk, "Brieuc": counsellor.pk, "Corentin": None}
    assert "Corentin" in page.content() and "Armelle" not in page.content()
