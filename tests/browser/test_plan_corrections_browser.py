"""A counsellor corrects a draft action plan from the browser: edits the training (a date typed
wrong is refused next to its field, what was typed stays), sees its cost follow in the funding
plan, removes a step after confirming, and reads the history on the comparison page. Only
clicks after logging in; axe on every page met."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from accompagnement import services as plan_services
from accompagnement.models import ActionPlan
from cep import services
from cep.models import Parcours
from tests.browser.axe_check import assert_no_serious_violations
from tests.browser.login import log_in
from tests.factories import OperatorFactory, UserFactory, make_membership

pytestmark = pytest.mark.browser


def draft_plan():
    operator = OperatorFactory()
    counsellor = make_membership(
        operator=operator, user=UserFactory(first_name="Claire", last_name="Morvan")
    )
    with scope(operator=operator.pk):
        beneficiary = services.create_beneficiary(
            membership=counsellor,
            first_name="Karine",
            last_name="Lemoine",
            sex="F",
            birth_date=timezone.localdate().replace(year=1985, month=3, day=14),
            departement="44",
            employment_status="salarie_cdi",
            entry_level=3,
        )
        parcours = Parcours.objects.get(beneficiary=beneficiary)
        plan = ActionPlan.objects.get(parcours=parcours)

        def add(item_type, **fields):
            return plan_services.add_item(
                membership=counsellor, plan=plan, item_type=item_type, **fields
            )

        add("step", title="Se former en comptabilité", order=1)
        add("step", title="Étape en double", order=2)
        add(
            "training",
            provider_name="Institut fictif de Nantes",
            provider_chosen_by_beneficiary=True,
            certification_title="Titre professionnel comptable assistant",
            modality="mixte",
            cost=Decimal("6500.00"),
        )
    return counsellor


def test_the_counsellor_edits_then_removes_items_and_reads_the_history(
    live_server, transactional_db, page
):
    counsellor = draft_plan()
    log_in(page, live_server.url, counsellor.user.username)
    page.get_by_role("link", name=re.compile("LEMOINE", re.IGNORECASE)).first.click()
    page.get_by_role("link", name="Plan d'action").first.click()
    page.wait_for_url(re.compile(r"/plan/$"))
    plan_url = page.url
    body = page.locator("main").inner_text()
    assert re.search(r"Titre professionnel comptable assistant — 6\s500,00\s€", body)
    assert_no_serious_violations(page, "le brouillon du plan")

    # Edit the training: an end before its start is refused on the field, the values stay.
    page.get_by_role(
        "link", name="Modifier le parcours de formation « Titre professionnel comptable assistant »"
    ).click()
    assert page.get_by_label("Coût", exact=True).input_value() == "6500.00"
    page.get_by_label("Coût", exact=True).fill("5900")
    # Dates from today, so that the test passes on any day: a start in nine months, an end
    # two months before it, then a year after it.
    start = timezone.localdate() + timedelta(days=270)
    end_before, end_after = start - timedelta(days=60), start + timedelta(days=365)
    page.get_by_label("Début").fill(start.isoformat())
    page.get_by_label("Fin").fill(end_before.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("La date de fin doit suivre la date de début.").is_visible()
    assert page.get_by_label("Coût", exact=True).input_value() == "5900"
    assert page.get_by_label("Fin").input_value() == end_before.isoformat()
    assert_no_serious_violations(page, "la formation refusée, ses erreurs sur les champs")
    page.get_by_label("Fin").fill(end_after.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(plan_url)
    body = page.locator("main").inner_text()
    # The cost, typed once on the training, is the funding plan's line.
    assert re.search(r"Titre professionnel comptable assistant — 5\s900,00\s€", body)
    assert re.search(r"Coût total : 5\s900,00\s€", body)

    # Remove a step, after confirming.
    page.get_by_role("link", name="Retirer l'étape « Étape en double »").click()
    assert page.get_by_role("heading", level=1, name="Retirer l'étape « Étape en double » ?")
    assert_no_serious_violations(page, "la confirmation du retrait")
    page.get_by_role("button", name="Retirer").click()
    page.wait_for_url(plan_url)
    assert "Étape en double" not in page.locator("main").inner_text()

    # The history, on the comparison page.
    page.get_by_role("link", name="historique des modifications").click()
    history = page.locator("#historique").inner_text()
    assert re.search(
        r"Modification — Parcours de formation « Titre professionnel comptable assistant »",
        history,
    )
    assert "par Claire Morvan" in history
    assert re.search(r"Coût : 6\s500,00\s€ → 5\s900,00\s€", history)
    assert f"Début : — → {start:%d/%m/%Y}" in history
    assert "Retrait — Étape « Étape en double »" in history
    assert_no_serious_violations(page, "l'historique des modifications du plan")
