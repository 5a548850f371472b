"""A conseiller builds an action plan with one training (its cost the funding plan's line) and two
funders, from the browser."""

import re

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from accompagnement.models import ActionPlan
from devdata import DEMO_PASSWORD
from tests.browser.axe_check import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_build_a_plan_with_a_training_line_and_two_funders(live_server, transactional_db, page):
    call_command("seed_demo")
    with scopes_disabled():
        # An empty plan (direct entry at level 3) followed by a single-operator counsellor.
        plan = (
            ActionPlan.objects.filter(
                versions__steps__isnull=True, parcours__closed_on__isnull=True
            )
            .exclude(parcours__referent__user__username="sam.multi")
            .select_related("parcours__referent__user")
            .first()
        )
        username, parcours_id = plan.parcours.referent.user.username, plan.parcours_id
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    plan_url = f"{live_server.url}/accompagnement/parcours/{parcours_id}/plan/"
    page.goto(plan_url)
    assert_no_serious_violations(page, "le plan d'action vide")

    page.get_by_role("link", name="Ajouter une étape").click()
    page.get_by_label("Étape", exact=True).fill("Se former")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(plan_url)

    page.get_by_role("link", name="Parcours de formation").click()
    assert page.get_by_text("vous ne pouvez pas le lui imposer").is_visible()
    assert_no_serious_violations(page, "le formulaire de formation")
    page.get_by_label("Organisme de formation").fill("Institut fictif de Nantes")
    page.get_by_label("Organisme choisi par la personne").press("Space")
    page.get_by_label("Certification visée").fill("Titre professionnel comptable assistant")
    page.get_by_label("Modalité").select_option("mixte")
    page.get_by_label("Coût", exact=True).fill("4200")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(plan_url)

    # The training's cost is the funding plan's line: it is not typed again as a cost line.
    for scheme, amount in (("cpf", "1500"), ("region", "2700")):
        page.get_by_role("link", name="Solliciter un financeur").click()
        page.get_by_label("Ligne de coût").select_option(index=1)
        page.get_by_label("Financeur sollicité").select_option(scheme)
        page.get_by_label("Montant demandé").fill(amount)
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(plan_url)

    body = page.locator("main").inner_text()
    assert "Titre professionnel comptable assistant" in body
    assert re.search(r"Coût total : 4\s200,00\s€", body)
    assert body.count("€ demandés") == 2
    assert_no_serious_violations(page, "le plan avec sa formation et ses financeurs")
