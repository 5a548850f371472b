"""A transfer in a browser: the counsellor proposes it with the keyboard, the person agrees from
their phone, the receiving manager reads what was shared and accepts; axe on every page."""

import pytest

from cep.continuity.models import Transfer
from cep.models import Membership, Parcours
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.conseil.factories import ProjectVersionFactory
from tests.factories import (
    BeneficiaryAccountFactory,
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    make_membership,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
NOTE = "Note confidentielle du conseiller"


def test_a_transfer_from_proposal_to_acceptance(live_server, transactional_db, open_page, page):
    origin = OperatorFactory(name="Mission locale d'origine")
    target = OperatorFactory(name="Cap emploi d'accueil")
    counsellor = make_membership(operator=origin)
    manager = make_membership(operator=target, role=Membership.Role.MANAGER)
    receiver = make_membership(operator=target)
    person = BeneficiaryFactory(operator=origin, first_name="Nolwenn", last_name="Le Bihan")
    parcours = ParcoursFactory(
        operator=origin, beneficiary=person, referent=counsellor, entry_level=2
    )
    ServiceFactory(parcours=parcours, notes=NOTE)
    ProjectVersionFactory(
        parcours=parcours, agreed=True, description="Devenir technicienne de laboratoire."
    )
    account = BeneficiaryAccountFactory(beneficiary=person)

    log_in(page, live_server.url, counsellor.user.username)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/continuite/")
    assert_no_serious_violations(page, "continuité d'un parcours")
    page.locator("#id_transfert-target_operator").select_option(str(target.pk))
    page.locator("#id_transfert-reason").fill("La personne déménage à Lyon.")
    page.locator("#id_transfert-categories_2").press("Space")  # projet et stratégie
    page.get_by_role("button", name="Proposer le transfert").press("Enter")
    page.get_by_text("rien n'est transmis avant").wait_for()
    transfer = Transfer.objects.get(parcours=parcours)
    assert transfer.status == Transfer.Status.AWAITING_CONSENT
    assert transfer.categories == ["identite", "situation", "projet"]

    mobile = open_page(PHONE)
    log_in(mobile, live_server.url, account.user.username)
    assert "Cap emploi d'accueil" in mobile.content()
    assert_no_serious_violations(mobile, "mon espace, transfert à accepter (375 px)")
    mobile.get_by_role("button", name="J'accepte que mon dossier soit transmis").click()
    mobile.get_by_text("votre dossier est transmis").wait_for()

    page.context.clear_cookies()
    log_in(page, live_server.url, manager.user.username)
    page.goto(f"{live_server.url}/transferts/")
    assert_no_serious_violations(page, "transferts entrants")
    page.get_by_role("link", name=f"Examiner le transfert n° {transfer.pk}").click()
    content = page.content()
    assert "Le Bihan" in content and "technicienne de laboratoire" in content
    assert NOTE not in content
    assert_no_serious_violations(page, "un transfert entrant")
    page.get_by_role("button", name="Accepter le transfert").click()
    assert "Choisissez le conseiller qui suivra la personne." in page.content()
    page.locator("#id_accepter-referent").select_option(str(receiver.pk))
    page.get_by_role("button", name="Accepter le transfert").click()
    page.get_by_text("Transfert accepté").wait_for()
    received = Parcours.objects.get(operator=target)
    assert received.referent_id == receiver.pk
