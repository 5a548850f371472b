"""The end of a level-3 parcours in a browser, by clicks only: the counsellor opens the person's
plan from the caseload and ends the parcours; the person then sees the end in their space on a
phone (390 px). Axe checks each page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cep.models import Parcours
from indicateurs.models import FollowUpSurvey
from tests.accompagnement.factories import ActionPlanFactory, PlanVersionFactory
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import BeneficiaryAccountFactory, ParcoursFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_level_3_parcours_is_ended_and_the_person_sees_it(
    live_server, transactional_db, open_page, page
):
    opened = timezone.localdate() - timedelta(days=120)
    parcours = ParcoursFactory(
        entry_level=3,
        opened_on=opened,
        beneficiary__first_name="Maëlle",
        beneficiary__last_name="Kerbrat",
    )
    PlanVersionFactory(plan=ActionPlanFactory(parcours=parcours), number=1)
    account = BeneficiaryAccountFactory(beneficiary=parcours.beneficiary)

    # The counsellor: caseload, the person's file, the plan, then the end.
    log_in(page, live_server.url, parcours.referent.user.username)
    page.get_by_role("link", name="Mon portefeuille").first.click()
    page.get_by_role("link", name="KERBRAT Maëlle").click()
    page.get_by_role("link", name="Plan d'action").click()
    page.wait_for_url(re.compile(r"/accompagnement/parcours/\d+/plan/$"))
    page.get_by_role("link", name="Mettre fin au parcours").click()
    page.wait_for_url(re.compile(r"/parcours/\d+/fin/$"))
    assert_no_serious_violations(page, "fin du parcours, formulaire")

    ended_on = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Date de fin").fill(ended_on.isoformat())
    page.get_by_label("Modalité").select_option(label="Visioconférence")
    page.get_by_label("Motif de fin").select_option(label="Entrée en formation")
    page.get_by_role("button", name="Mettre fin au parcours").click()
    page.get_by_text("Le parcours est terminé ; la personne en est informée.").wait_for()
    assert f"Parcours terminé le {ended_on:%d/%m/%Y}" in page.content()
    assert_no_serious_violations(page, "fin du parcours, parcours terminé")

    parcours.refresh_from_db()
    assert (parcours.closed_on, parcours.closing_reason) == (ended_on, "formation")
    assert FollowUpSurvey.objects.filter(parcours=parcours).count() == 2

    # The plan is now read-only and says so.
    page.get_by_role("link", name=re.compile("Dossier de")).click()
    page.get_by_role("link", name="Plan d'action").click()
    assert "il est en lecture seule" in page.content()

    # The person, on a phone.
    person = open_page(PHONE)
    log_in(person, live_server.url, account.user.username)
    assert person.url.endswith("/mon-espace/")
    person.get_by_role("heading", name="Votre parcours est terminé").wait_for()
    assert f"s'est terminé le {ended_on:%d/%m/%Y}" in person.content()
    assert "entrée en formation" in person.content()
    assert_no_serious_violations(person, "mon espace, parcours terminé (390 px)")
    assert Parcours.objects.get(pk=parcours.pk).closing_reason == "formation"
