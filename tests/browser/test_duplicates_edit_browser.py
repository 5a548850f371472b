"""One file per person, when a file is edited: the counsellor gives Paul DURAND the phone of
Karine LEMOINE's file (typed "+33 6 12 34 56 78", a format the form now reads); the edit page
warns before saving, keeps what was typed, and saves once the counsellor confirms another
person. Axe checks the warning."""

import re
from datetime import date

import pytest
from django_scopes import scopes_disabled

from cep.duplicates.models import DistinctPersonConfirmation
from cep.models import Beneficiary
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.browser


@pytest.fixture
def files(transactional_db):
    operator = OperatorFactory()
    with scopes_disabled():
        counsellor = make_membership(operator=operator)
        karine = BeneficiaryFactory(
            operator=operator,
            first_name="Karine",
            last_name="Lemoine",
            birth_date=date(1985, 3, 14),
            phone="06 12 34 56 78",
        )
        paul = BeneficiaryFactory(
            operator=operator,
            first_name="Paul",
            last_name="Durand",
            birth_date=date(1990, 7, 1),
            phone="",
            pcs_group="",
            diploma_level="",
        )
        ParcoursFactory(beneficiary=paul, referent=counsellor)
    return karine, paul, counsellor


def test_a_changed_phone_that_is_another_files_is_warned_before_saving(live_server, files, page):
    karine, paul, counsellor = files
    log_in(page, live_server.url, counsellor.user.username)
    page.wait_for_url(re.compile(r"/beneficiaires/$"))
    page.locator("#portefeuille table").get_by_role("link", name=re.compile("Durand", re.I)).click()
    page.wait_for_url(re.compile(rf"/beneficiaires/{paul.pk}/$"))
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.wait_for_url(re.compile(rf"/beneficiaires/{paul.pk}/modifier/$"))
    page.get_by_label("Téléphone").fill("+33 6 12 34 56 78")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Cette personne a peut-être déjà un dossier").wait_for()
    # What was typed stays; nothing was saved.
    assert page.get_by_label("Téléphone").input_value() == "+33 6 12 34 56 78"
    row = page.locator("table").filter(has_text="Dossiers existants").locator("tbody tr")
    assert row.count() == 1
    assert "Karine Lemoine" in row.inner_text()
    assert "Même numéro de téléphone" in row.inner_text()
    with scopes_disabled():
        assert Beneficiary.objects.get(pk=paul.pk).phone == ""
    assert_no_serious_violations(page, "l'avertissement de doublon à la modification")

    page.get_by_label("C'est une autre personne").press("Space")
    assert page.get_by_label("C'est une autre personne").is_checked()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(rf"/beneficiaires/{paul.pk}/$"))
    assert page.get_by_text("Les informations ont été mises à jour.").is_visible()
    with scopes_disabled():
        assert Beneficiary.objects.get(pk=paul.pk).phone_e164 == "+33612345678"
        confirmation = DistinctPersonConfirmation.objects.get()
        assert (confirmation.beneficiary_id, confirmation.other_id) == (paul.pk, karine.pk)
