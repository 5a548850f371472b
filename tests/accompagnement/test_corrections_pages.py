"""Corrections to a draft plan from the pages and the API: edit pages pre-filled, errors next to
their fields with what was typed kept, removal confirmed, agreed versions refused, the training's
cost in the funding plan, each date rule refused (page and API), query counts."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement import services
from accompagnement.models import CostLine, PlanItemChange, Step, TrainingPath
from conseil.models import ProjectVersion
from tests.conseil.factories import Level2ParcoursFactory, ProjectVersionFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
NNBSP = "\u202f"  # between the thousands
OPENED = date(2026, 3, 2)
TOO_EARLY = (
    "Cette date précède de plus d'un an l'ouverture du parcours (02/03/2026) : vérifiez l'année."
)
IMPLAUSIBLE = "Vérifiez la date : l'année doit être comprise entre 1900 et 2036."
END_BEFORE_START = "La date de fin doit suivre la date de début."
DUE_BEFORE = (
    "Une action ne peut pas être due avant le début du parcours, le 02/03/2026 : vérifiez la date."
)
AGREED_BEFORE = (
    "L'accord ne peut pas précéder la version à laquelle il se rapporte, créée le 16/03/2026."
)
FROZEN = (
    "Cette version du plan a été validée par la personne : elle ne se modifie plus. Pour la "
    "changer, révisez le plan en indiquant pourquoi."
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-16 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def plan():
    counsellor = MembershipFactory(user=UserFactory(first_name="Claire", last_name="Morvan"))
    parcours = Level2ParcoursFactory(
        entry_level=3, operator=counsellor.operator, referent=counsellor, opened_on=OPENED
    )
    return services.ensure_plan(membership=counsellor, parcours=parcours)


@pytest.fixture
def staff(plan, login_as):
    return login_as(plan.parcours.referent)


def add(plan, item_type, **fields):
    return services.add_item(
        membership=plan.parcours.referent, plan=plan, item_type=item_type, **fields
    )


def url(plan, name, **kwargs):
    return reverse(f"accompagnement:{name}", kwargs={"parcours_pk": plan.parcours_id, **kwargs})


def field_errors(response, field):
    return response.context["form"].errors.get(field)


TRAINING = {
    "provider_name": "Institut fictif",
    "provider_chosen_by_beneficiary": True,
    "certification_title": "Titre professionnel Comptable",
    "modality": "mixte",
    "cost": Decimal("6500.00"),
}
TRAINING_POST = {
    "provider_name": "Institut fictif",
    "provider_chosen_by_beneficiary": "on",
    "certification_title": "Titre professionnel Comptable",
    "modality": "mixte",
    "cost": "6500",
    "vae_reduction": "0",
}


def test_the_edit_page_is_filled_and_a_correction_is_kept(plan, staff):
    training = add(plan, "training", **TRAINING, start_date=date(2026, 4, 1))
    edit = url(plan, "edit_training", trainingpath_pk=training.pk)
    page = staff.get(edit).content.decode()
    assert 'value="Institut fictif"' in page and 'value="2026-04-01"' in page
    assert 'value="6500.00"' in page or 'value="6500,00"' in page

    response = staff.post(edit, {**TRAINING_POST, "cost": "5900", "start_date": "2026-04-01"})
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.cost == Decimal("5900.00")
    [_, updated] = PlanItemChange.objects.filter(version__plan=plan)
    assert (updated.change, updated.before, updated.after) == (
        "modification",
        [{"field": "cost", "label": "Coût", "value": "6500.00", "shown": f"6{NNBSP}500,00{NBSP}€"}],
        [{"field": "cost", "label": "Coût", "value": "5900.00", "shown": f"5{NNBSP}900,00{NBSP}€"}],
    )


def test_removal_is_confirmed_and_says_what_goes_with_it(plan, staff):
    step = add(plan, "step", title="Se former", order=1)
    add(plan, "action", step=step, description="S'inscrire", actor="beneficiaire")
    remove = url(plan, "delete_step", step_pk=step.pk)
    page = html.unescape(staff.get(remove).content.decode())
    assert "Retirer l'étape « Se former » ?" in page
    assert "Action « S'inscrire »" in page
    assert Step.objects.filter(pk=step.pk).exists()  # the page alone removes nothing
    staff.post(remove)
    assert not Step.objects.filter(pk=step.pk).exists()
    assert [(c.change, c.item_kind) for c in PlanItemChange.objects.filter(version__plan=plan)] == [
        ("ajout", "step"),
        ("ajout", "action"),
        ("retrait", "action"),
        ("retrait", "step"),
    ]


def test_the_training_cost_shows_in_the_funding_plan_without_being_typed_again(plan, staff):
    response = staff.post(url(plan, "add_training"), TRAINING_POST)
    assert response.status_code == 302
    page = staff.get(url(plan, "plan")).content.decode()
    # Once on the training, once as the funding plan's line: typed once.
    assert f"Coût : 6{NNBSP}500,00{NBSP}€, repris dans le plan de financement." in page
    assert f"Titre professionnel Comptable — 6{NNBSP}500,00{NBSP}€ (formation)" in page
    assert f"Coût total : 6{NNBSP}500,00{NBSP}€" in page
    line = CostLine.objects.get(version__plan=plan)
    assert line.training == TrainingPath.objects.get(version__plan=plan)
    # The line has no edit link of its own: it is corrected on the training.
    assert url(plan, "edit_cost", costline_pk=line.pk) not in page
    typed_again = staff.post(
        url(plan, "add_cost"), {"kind": "formation", "label": "Formation", "amount": "6500"}
    )
    assert typed_again.status_code == 400
    assert field_errors(typed_again, "kind") == [
        "Le coût de la formation vient du parcours de formation : il ne se saisit pas une "
        "seconde fois. Ajoutez ici les autres frais."
    ]
    assert 'value="Formation"' in typed_again.content.decode()
    assert CostLine.objects.filter(version__plan=plan).count() == 1


def test_an_agreed_version_refuses_every_change_on_the_pages_and_in_the_api(plan, staff):
    step = add(plan, "step", title="Se former", order=1)
    action = add(plan, "action", step=step, description="S'inscrire", actor="beneficiaire")
    training = add(plan, "training", **TRAINING)
    line = add(plan, "cost", kind="transport", label="Trajets", amount=Decimal("300"))
    funding = add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("100"))
    external = add(
        plan,
        "external",
        kind="bilan",
        provider_name="Centre",
        provider_chosen_by_beneficiary=True,
        expected_results="Un bilan",
    )
    services.record_plan_agreement(
        membership=plan.parcours.referent,
        plan=plan,
        agreed_on=timezone.localdate(),
        channel="en_presence",
    )
    changes = PlanItemChange.objects.count()
    items = [
        ("step", "step_pk", step, "plan-steps", {"title": "Autre"}),
        ("action", "action_pk", action, "plan-actions", {"description": "Autre"}),
        ("training", "trainingpath_pk", training, "plan-trainings", {"cost": "1.00"}),
        (
            "external",
            "externalservice_pk",
            external,
            "plan-external-services",
            {"provider_name": "X"},
        ),
        ("cost", "costline_pk", line, "plan-cost-lines", {"amount": "1.00"}),
        ("funding", "fundingrequest_pk", funding, "funding-requests", {"amount_requested": "1"}),
    ]
    for kind, param, item, route, payload in items:
        for name in ("edit", "delete"):
            page_url = url(plan, f"{name}_{kind}", **{param: item.pk})
            for response in (staff.get(page_url, follow=True), staff.post(page_url, follow=True)):
                assert FROZEN in response.content.decode(), (kind, name)
        api = f"/api/v1/{route}/{item.pk}/"
        patched = staff.patch(api, payload, content_type="application/json")
        assert (patched.status_code, patched.json()) == (400, {"non_field_errors": [FROZEN]})
        assert staff.delete(api).json() == {"non_field_errors": [FROZEN]}
    schemes = staff.post(url(plan, "schemes"), {"notes": "Aide"}, follow=True).content.decode()
    assert "révisez-le en indiquant" in schemes
    assert PlanItemChange.objects.count() == changes
    step.refresh_from_db()
    assert step.title == "Se former" and plan.versions.get().schemes_notes == ""


def test_the_api_corrects_and_removes_a_draft_item(plan, staff):
    step = add(plan, "step", title="Se former", order=1)
    patched = staff.patch(
        f"/api/v1/plan-steps/{step.pk}/", {"goal": "Un titre"}, content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["title"], patched.json()["goal"]) == ("Se former", "Un titre")
    assert staff.delete(f"/api/v1/plan-steps/{step.pk}/").status_code == 204
    assert [
        (c.change, c.item_label) for c in PlanItemChange.objects.filter(version__plan=plan)
    ] == [
        ("ajout", "Se former"),
        ("modification", "Se former"),
        ("retrait", "Se former"),
    ]


# --- Each date rule, refused on its field, on the page (what was typed kept) and in the API.


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"start_date": "1850-03-01", "end_date": "1851-01-15"}, "start_date", IMPLAUSIBLE),
        ({"start_date": "2025-02-01"}, "start_date", TOO_EARLY),
        ({"start_date": "2026-09-01", "end_date": "2026-06-30"}, "end_date", END_BEFORE_START),
    ],
)
def test_training_dates_are_refused_on_their_field(plan, staff, dates, field, message):
    page = staff.post(url(plan, "add_training"), {**TRAINING_POST, **dates})
    assert page.status_code == 400
    assert field_errors(page, field) == [message]
    content = page.content.decode()
    for value in dates.values():
        assert f'value="{value}"' in content
    assert 'value="Institut fictif"' in content
    api = staff.post(
        f"/api/v1/action-plans/{plan.pk}/items/?type=training",
        {**TRAINING, "cost": "6500.00", **dates},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()[field] == [message]
    assert not TrainingPath.objects.exists()


def test_a_training_corrected_with_inverted_dates_is_refused_on_the_field(plan, staff):
    training = add(plan, "training", **TRAINING, start_date=date(2026, 4, 1))
    dates = {"start_date": "2026-04-01", "end_date": "2026-03-20"}
    page = staff.post(
        url(plan, "edit_training", trainingpath_pk=training.pk), {**TRAINING_POST, **dates}
    )
    assert page.status_code == 400
    assert field_errors(page, "end_date") == [END_BEFORE_START]
    assert 'value="2026-03-20"' in page.content.decode()
    api = staff.patch(
        f"/api/v1/plan-trainings/{training.pk}/",
        {"end_date": "2026-03-20"},
        content_type="application/json",
    )
    assert (api.status_code, api.json()) == (400, {"end_date": [END_BEFORE_START]})
    training.refresh_from_db()
    assert training.end_date is None


def test_an_external_service_ending_before_it_starts_is_refused_on_the_field(plan, staff):
    typed = {
        "kind": "bilan",
        "provider_name": "Centre fictif",
        "provider_chosen_by_beneficiary": "on",
        "expected_results": "Un bilan",
        "start_date": "2026-05-10",
        "end_date": "2026-05-01",
    }
    page = staff.post(url(plan, "add_external"), typed)
    assert page.status_code == 400
    assert field_errors(page, "end_date") == [END_BEFORE_START]
    assert 'value="2026-05-01"' in page.content.decode()
    api = staff.post(
        f"/api/v1/action-plans/{plan.pk}/items/?type=external",
        {**typed, "provider_chosen_by_beneficiary": True},
        content_type="application/json",
    )
    assert (api.status_code, api.json()) == (400, {"end_date": [END_BEFORE_START]})


@pytest.mark.parametrize(
    ("due_date", "message"),
    [("2026-02-20", DUE_BEFORE), ("1850-01-01", IMPLAUSIBLE), ("2025-01-10", TOO_EARLY)],
)
def test_no_action_is_due_before_the_parcours_started(plan, staff, due_date, message):
    step = add(plan, "step", title="Démarches", order=1)
    typed = {"step": step.pk, "description": "Envoyer le dossier", "actor": "beneficiaire"}
    page = staff.post(url(plan, "add_action"), {**typed, "due_date": due_date})
    assert page.status_code == 400
    assert field_errors(page, "due_date") == [message]
    content = page.content.decode()
    assert f'value="{due_date}"' in content and 'value="Envoyer le dossier"' in content
    api = staff.post(
        f"/api/v1/action-plans/{plan.pk}/items/?type=action",
        {**typed, "due_date": due_date},
        content_type="application/json",
    )
    assert (api.status_code, api.json()) == (400, {"due_date": [message]})
    # The first day of the parcours is fine.
    ok = staff.post(url(plan, "add_action"), {**typed, "due_date": "2026-03-02"})
    assert ok.status_code == 302


def test_a_plan_agreement_is_not_before_the_version_existed(plan, staff):
    add(plan, "step", title="Se former", order=1)
    page = staff.post(url(plan, "agreement"), {"agreed_on": "2026-03-10", "channel": "a_distance"})
    assert page.status_code == 400
    assert page.context["agreement_form"].errors["agreed_on"] == [AGREED_BEFORE]
    content = page.content.decode()
    # What was typed stays: the date and the channel chosen.
    assert 'value="2026-03-10"' in content
    assert re.search(r'value="a_distance"[^>]* checked', content)
    api = staff.post(
        f"/api/v1/action-plans/{plan.pk}/agreement/",
        {"agreed_on": "2026-03-10", "channel": "a_distance"},
        content_type="application/json",
    )
    assert (api.status_code, api.json()) == (400, {"agreed_on": [AGREED_BEFORE]})
    assert plan.versions.get().status == "brouillon"


def test_a_project_agreement_is_not_before_the_version_existed(login_as):
    version = ProjectVersionFactory(parcours=Level2ParcoursFactory(opened_on=OPENED))
    client = login_as(version.parcours.referent)
    agreement = reverse(
        "conseil:agreement",
        kwargs={"parcours_pk": version.parcours_id, "projectversion_pk": version.pk},
    )
    page = client.post(agreement, {"agreed_on": "2026-03-10", "channel": "en_presence"})
    assert page.status_code == 400
    assert page.context["agreement_form"].errors["agreed_on"] == [AGREED_BEFORE]
    content = page.content.decode()
    assert 'value="2026-03-10"' in content
    assert re.search(r'value="en_presence"[^>]* checked', content)
    api = client.post(
        f"/api/v1/project-versions/{version.pk}/agreement/",
        {"agreed_on": "2026-03-10", "channel": "en_presence"},
        content_type="application/json",
    )
    assert (api.status_code, api.json()) == (400, {"agreed_on": [AGREED_BEFORE]})
    assert ProjectVersion.objects.get(pk=version.pk).status == "brouillon"


# --- Query counts: a fixed number as the plan and its history grow.


def queries(client, page_url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url).status_code == 200
    return len(captured)


def fill(plan, n):
    """n of each item; the last ones returned."""
    for i in range(n):
        step = add(plan, "step", title=f"Étape {i}", order=i + 1)
        action = add(plan, "action", step=step, description=f"Action {i}", actor="conseiller")
        training = add(plan, "training", **{**TRAINING, "certification_title": f"Titre {i}"})
        external = add(
            plan,
            "external",
            kind="bilan",
            provider_name=f"Centre {i}",
            provider_chosen_by_beneficiary=True,
            expected_results="Un bilan",
        )
        line = add(plan, "cost", kind="transport", label=f"Trajets {i}", amount=Decimal("300"))
        funding = add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("10"))
    return {
        "step": ("step_pk", step),
        "action": ("action_pk", action),
        "training": ("trainingpath_pk", training),
        "external": ("externalservice_pk", external),
        "cost": ("costline_pk", line),
        "funding": ("fundingrequest_pk", funding),
    }


def page_urls(plan, items):
    return [
        url(plan, f"{name}_{kind}", **{param: item.pk})
        for kind, (param, item) in items.items()
        for name in ("edit", "delete")
    ] + [url(plan, "schemes")]


def test_edit_and_removal_pages_queries_do_not_grow(plan, staff, django_assert_num_queries):
    first = fill(plan, 1)
    step = first["step"][1]
    one = {page: queries(staff, page) for page in page_urls(plan, first)}
    many = fill(plan, 12)
    for i in range(12):  # the first step's removal page lists more actions
        add(plan, "action", step=step, description=f"Encore {i}", actor="conseiller")
    for page, count in one.items():
        with django_assert_num_queries(count):
            assert staff.get(page).status_code == 200
    # The pages of the last items cost what the first ones did, kind by kind.
    for kind in first:
        for name in ("edit", "delete"):
            param, item = first[kind]
            _, last = many[kind]
            with django_assert_num_queries(one[url(plan, f"{name}_{kind}", **{param: item.pk})]):
                assert staff.get(url(plan, f"{name}_{kind}", **{param: last.pk})).status_code == 200


def test_comparison_page_queries_do_not_grow_with_the_history(
    plan, staff, django_assert_num_queries
):
    step = add(plan, "step", title="Se former", order=1)
    diff = url(plan, "diff")
    one = queries(staff, diff)
    for i in range(30):
        services.update_item(
            membership=plan.parcours.referent,
            plan=plan,
            item_type="step",
            pk=step.pk,
            title=f"Se former ({i})",
        )
    assert PlanItemChange.objects.filter(version__plan=plan).count() == 31
    with django_assert_num_queries(one):
        page = staff.get(diff).content.decode()
    assert page.count("Modification</strong>") == 30


def test_the_comparison_page_shows_the_history_in_french(plan, staff):
    training = add(plan, "training", **TRAINING, start_date=date(2026, 4, 1))
    line = CostLine.objects.get(training=training)
    funding = add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("1500"))
    services.update_item(
        membership=plan.parcours.referent,
        plan=plan,
        item_type="training",
        pk=training.pk,
        cost=Decimal("7250.50"),
        start_date=date(2026, 4, 13),
    )
    services.delete_item(
        membership=plan.parcours.referent, plan=plan, item_type="funding", pk=funding.pk
    )
    page = html.unescape(staff.get(url(plan, "diff")).content.decode())
    for expected in (
        "Historique des modifications du plan",
        "Ajout</strong> — Parcours de formation « Titre professionnel Comptable »",
        "le 16/03/2026 à 10:00, par Claire Morvan",
        f"Coût : 6{NNBSP}500,00{NBSP}€ → 7{NNBSP}250,50{NBSP}€",
        "Début : 01/04/2026 → 13/04/2026",
        "Retrait</strong> — Financeur sollicité « Compte personnel de formation (CPF) »",
        f"Montant demandé : <del>1{NNBSP}500,00{NBSP}€</del>",
    ):
        assert expected in page, expected
    history = page[page.index('<ol id="historique">') :]
    assert "cpf" not in history.replace("(CPF)", "")  # the funder's name, never its code
