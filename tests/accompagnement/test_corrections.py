"""Corrections to a draft plan: every item edited and removed, each change kept in the version's
history (expected rows written by hand); an agreed version refuses every change; the training's
cost is the funding plan's line, entered once."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accompagnement import services
from accompagnement.models import CostLine, FundingRequest, PlanItemChange, Step
from tests.conseil.factories import Level2ParcoursFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
NNBSP = "\u202f"  # between the thousands


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-16 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def counsellor():
    return MembershipFactory(user=UserFactory(first_name="Claire", last_name="Morvan"))


@pytest.fixture
def plan(counsellor):
    parcours = Level2ParcoursFactory(
        entry_level=3, operator=counsellor.operator, referent=counsellor, opened_on=date(2026, 3, 2)
    )
    return services.ensure_plan(membership=counsellor, parcours=parcours)


def add(plan, item_type, **fields):
    return services.add_item(
        membership=plan.parcours.referent, plan=plan, item_type=item_type, **fields
    )


def update(plan, item, item_type, **fields):
    return services.update_item(
        membership=plan.parcours.referent, plan=plan, item_type=item_type, pk=item.pk, **fields
    )


def delete(plan, item, item_type):
    services.delete_item(
        membership=plan.parcours.referent, plan=plan, item_type=item_type, pk=item.pk
    )


def agree(plan):
    return services.record_plan_agreement(
        membership=plan.parcours.referent,
        plan=plan,
        agreed_on=timezone.localdate(),
        channel="en_presence",
    )


def rows(plan):
    """The history as (change, kind, label, before, after), each side {label: shown}."""
    return [
        (
            c.change,
            c.item_kind,
            c.item_label,
            {e["label"]: e["shown"] for e in c.before},
            {e["label"]: e["shown"] for e in c.after},
        )
        for c in PlanItemChange.objects.filter(version__plan=plan).order_by("changed_at", "pk")
    ]


TRAINING = {
    "provider_name": "Institut fictif",
    "provider_chosen_by_beneficiary": True,
    "certification_title": "Titre professionnel Comptable",
    "modality": "mixte",
    "cost": Decimal("6500.00"),
    "start_date": date(2026, 4, 1),
    "end_date": date(2026, 12, 18),
}


def test_draft_items_are_edited_and_removed_and_each_change_is_kept(plan, counsellor):
    step = add(plan, "step", title="Se former", order=1, target_date=date(2026, 6, 30))
    action = add(
        plan,
        "action",
        step=step,
        description="S'inscrire",
        actor="beneficiaire",
        due_date=date(2026, 3, 20),
    )
    update(
        plan,
        step,
        "step",
        title="Se former en comptabilité",
        order=1,
        goal="",
        target_date=date(2026, 7, 15),
    )
    update(
        plan,
        action,
        "action",
        step=step,
        description="S'inscrire",
        actor="conseiller",
        due_date=date(2026, 3, 27),
    )
    training = add(plan, "training", **TRAINING)
    funding = add(
        plan,
        "funding",
        cost_line=CostLine.objects.get(training=training),
        scheme="cpf",
        amount_requested=Decimal("1500.00"),
    )
    update(
        plan,
        funding,
        "funding",
        cost_line=funding.cost_line,
        scheme="region",
        amount_requested=Decimal("2000.00"),
        note="",
    )
    services.set_schemes_notes(membership=counsellor, plan=plan, notes="Aide au permis")
    delete(plan, step, "step")

    assert not Step.objects.filter(version__plan=plan).exists()
    change = PlanItemChange.objects.filter(version__plan=plan).first()
    assert change.membership == counsellor
    assert timezone.localtime(change.changed_at).strftime("%d/%m/%Y %H:%M") == "16/03/2026 10:00"
    assert rows(plan) == [
        (
            "ajout",
            "step",
            "Se former",
            {},
            {
                "Ordre": "1",
                "Étape": "Se former",
                "Objectif intermédiaire": "—",
                "Date visée": "30/06/2026",
            },
        ),
        (
            "ajout",
            "action",
            "S'inscrire",
            {},
            {
                "Étape": "Se former",
                "Action": "S'inscrire",
                "Qui agit": "La personne",
                "Échéance": "20/03/2026",
            },
        ),
        (
            "modification",
            "step",
            "Se former en comptabilité",
            {"Étape": "Se former", "Date visée": "30/06/2026"},
            {"Étape": "Se former en comptabilité", "Date visée": "15/07/2026"},
        ),
        (
            "modification",
            "action",
            "S'inscrire",
            {"Qui agit": "La personne", "Échéance": "20/03/2026"},
            {"Qui agit": "Le conseiller", "Échéance": "27/03/2026"},
        ),
        (
            "ajout",
            "training",
            "Titre professionnel Comptable",
            {},
            {
                "Organisme de formation": "Institut fictif",
                "Organisme choisi par la personne": "Oui",
                "Code RNCP ou RS": "—",
                "Certification visée": "Titre professionnel Comptable",
                "Début": "01/04/2026",
                "Fin": "18/12/2026",
                "Durée (heures)": "—",
                "Modalité": "Mixte",
                "Coût": f"6{NNBSP}500,00{NBSP}€",
                "Réduction après VAE partielle": f"0,00{NBSP}€",
            },
        ),
        (
            "ajout",
            "funding",
            "Compte personnel de formation (CPF)",
            {},
            {
                "Ligne de coût": "Titre professionnel Comptable",
                "Financeur sollicité": "Compte personnel de formation (CPF)",
                "Montant demandé": f"1{NNBSP}500,00{NBSP}€",
                "Note du conseiller": "—",
            },
        ),
        (
            "modification",
            "funding",
            "Programme régional de formation, aides régionales",
            {
                "Financeur sollicité": "Compte personnel de formation (CPF)",
                "Montant demandé": f"1{NNBSP}500,00{NBSP}€",
            },
            {
                "Financeur sollicité": "Programme régional de formation, aides régionales",
                "Montant demandé": f"2{NNBSP}000,00{NBSP}€",
            },
        ),
        (
            "ajout",
            "schemes",
            "Dispositifs et services à mobiliser",
            {},
            {"Dispositifs et services à mobiliser": "Aide au permis"},
        ),
        # A step goes with its actions: each removal is kept, with what the item was.
        (
            "retrait",
            "action",
            "S'inscrire",
            {
                "Étape": "Se former en comptabilité",
                "Action": "S'inscrire",
                "Qui agit": "Le conseiller",
                "Échéance": "27/03/2026",
            },
            {},
        ),
        (
            "retrait",
            "step",
            "Se former en comptabilité",
            {
                "Ordre": "1",
                "Étape": "Se former en comptabilité",
                "Objectif intermédiaire": "—",
                "Date visée": "15/07/2026",
            },
            {},
        ),
    ]


def test_an_agreed_version_refuses_every_change(plan, counsellor):
    step = add(plan, "step", title="Se former", order=1)
    action = add(plan, "action", step=step, description="S'inscrire", actor="beneficiaire")
    training = add(plan, "training", **TRAINING)
    external = add(
        plan,
        "external",
        kind="bilan",
        provider_name="Centre fictif",
        provider_chosen_by_beneficiary=True,
        expected_results="Un bilan",
    )
    line = add(plan, "cost", kind="transport", label="Trajets", amount=Decimal("300.00"))
    funding = add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("100"))
    agree(plan)
    before = PlanItemChange.objects.count()
    frozen = "Cette version du plan a été validée par la personne : elle ne se modifie plus."
    for item_type, item, fields in [
        ("step", step, {"title": "Autre"}),
        ("action", action, {"description": "Autre"}),
        ("training", training, {"cost": Decimal("1.00")}),
        ("external", external, {"provider_name": "Autre"}),
        ("cost", line, {"amount": Decimal("1.00")}),
        ("funding", funding, {"amount_requested": Decimal("1.00")}),
    ]:
        with pytest.raises(ValidationError, match=frozen):
            update(plan, item, item_type, **fields)
        with pytest.raises(ValidationError, match=frozen):
            delete(plan, item, item_type)
    with pytest.raises(ValidationError, match="révisez-le"):
        services.set_schemes_notes(membership=counsellor, plan=plan, notes="Autre")
    # Nothing changed, nothing was kept.
    assert PlanItemChange.objects.count() == before
    step.refresh_from_db()
    assert step.title == "Se former"
    assert FundingRequest.objects.get(pk=funding.pk).amount_requested == Decimal("100.00")

    # The revision is a draft again: its copies are corrected, the agreed version stays.
    draft = services.revise_plan(membership=counsellor, plan=plan, reason="Nouveau tarif")
    copy = draft.trainings.get()
    update(plan, copy, "training", cost=Decimal("5900.00"))
    training.refresh_from_db()
    assert (training.cost, CostLine.objects.get(training=training).amount) == (
        Decimal("6500.00"),
        Decimal("6500.00"),
    )
    assert CostLine.objects.get(training=copy).amount == Decimal("5900.00")
    assert [
        (c.version.number, c.change, c.item_kind)
        for c in PlanItemChange.objects.filter(version=draft)
    ] == [(2, "modification", "training")]


def test_the_training_cost_is_the_funding_plans_line_entered_once(plan):
    training = add(plan, "training", **{**TRAINING, "vae_reduction": Decimal("800.00")})
    # The line exists without being typed: the training's cost after the VAE reduction.
    [line] = plan.versions.get().cost_lines.all()
    assert (line.kind, line.label, line.amount, line.training) == (
        "formation",
        "Titre professionnel Comptable",
        Decimal("5700.00"),
        training,
    )
    # Typing it again is refused, on the field.
    with pytest.raises(ValidationError) as error:
        add(plan, "cost", kind="formation", label="Formation", amount=Decimal("5700.00"))
    assert error.value.message_dict == {
        "kind": [
            "Le coût de la formation vient du parcours de formation : il ne se saisit pas une "
            "seconde fois. Ajoutez ici les autres frais."
        ]
    }
    # The line follows the training; it is corrected only there.
    update(plan, training, "training", cost=Decimal("6000.00"), certification_title="Titre pro")
    line.refresh_from_db()
    assert (line.label, line.amount) == ("Titre pro", Decimal("5200.00"))
    follows = (
        "Cette ligne est le coût du parcours de formation : elle suit la formation. Modifiez le "
        "coût sur la formation."
    )
    with pytest.raises(ValidationError, match=follows):
        update(plan, line, "cost", amount=Decimal("1.00"))
    with pytest.raises(ValidationError, match=follows):
        delete(plan, line, "cost")
    # Funders solicited for it hold the cost up: it cannot drop below what they were asked.
    add(plan, "funding", cost_line=line, scheme="cpf", amount_requested=Decimal("5000.00"))
    with pytest.raises(ValidationError) as error:
        update(plan, training, "training", cost=Decimal("5000.00"))
    assert error.value.message_dict == {
        "cost": [
            f"Des financeurs sont sollicités pour 5{NNBSP}000,00{NBSP}€ sur ce coût : corrigez "
            "d'abord leurs demandes."
        ]
    }
    # Removing the training removes its line and the funders solicited for it, each kept.
    delete(plan, training, "training")
    assert not CostLine.objects.filter(version__plan=plan).exists()
    assert not FundingRequest.objects.filter(version__plan=plan).exists()
    assert [(c.change, c.item_kind) for c in PlanItemChange.objects.filter(version__plan=plan)][
        -2:
    ] == [("retrait", "funding"), ("retrait", "training")]


def test_an_unchanged_correction_writes_no_history(plan):
    step = add(plan, "step", title="Se former", order=1)
    update(plan, step, "step", title="Se former", order=1)
    assert PlanItemChange.objects.filter(version__plan=plan).count() == 1


def test_the_data_migration_links_the_training_and_its_line_typed_again(plan):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accompagnement.migrations.0009_training_cost_line")
    version = plan.versions.get()
    training = add(plan, "training", **{**TRAINING, "vae_reduction": Decimal("800.00")})
    other = add(
        plan, "training", **{**TRAINING, "certification_title": "Autre", "cost": Decimal("900.00")}
    )
    # As before: no line follows the trainings, and each was typed again by hand.
    CostLine.objects.filter(version=version).delete()
    typed = CostLine.objects.create(
        operator_id=plan.operator_id,
        version=version,
        kind="formation",
        label="Formation",
        amount=Decimal("5700.00"),
    )
    transport = CostLine.objects.create(
        operator_id=plan.operator_id,
        version=version,
        kind="transport",
        label="Trajets",
        amount=Decimal("900.00"),
    )
    migration.link_pairs(apps, None)
    typed.refresh_from_db()
    transport.refresh_from_db()
    assert (typed.training, typed.amount) == (training, Decimal("5700.00"))
    assert transport.training is None  # not a training's line: the other training has none
    assert not CostLine.objects.filter(training=other).exists()
    migration.unlink(apps, None)
    typed.refresh_from_db()
    assert (typed.training, typed.amount) == (None, Decimal("5700.00"))


def test_the_persons_data_export_carries_the_drafts_history(plan, counsellor):
    from cep.registries import data_sections

    step = add(plan, "step", title="Se former", order=1)
    update(plan, step, "step", title="Se former en comptabilité")
    [section] = [s for s in data_sections() if s.key == "plan"]
    changes = [r for r in section.export(plan.parcours.beneficiary) if "changement" in r]
    assert [
        (r["type d'élément"], r["libellé de l'élément"], r["changement"], r["avant"], r["après"])
        for r in changes
    ] == [
        (
            "Étape",
            "Se former",
            "Ajout",
            [],
            ["Ordre : 1", "Étape : Se former", "Objectif intermédiaire : —", "Date visée : —"],
        ),
        (
            "Étape",
            "Se former en comptabilité",
            "Modification",
            ["Étape : Se former"],
            ["Étape : Se former en comptabilité"],
        ),
    ]
    assert changes[0]["par"].startswith("Claire Morvan")


def test_erasure_clears_the_texts_the_history_kept(plan):
    from accompagnement.space import anonymise
    from cep.registries import ERASED

    step = add(plan, "step", title="Se former", order=1, goal="Objectif personnel")
    update(plan, step, "step", goal="Autre objectif personnel")
    anonymise(plan.parcours.beneficiary)
    assert [
        (c.change, c.item_kind, c.item_label, c.before, c.after)
        for c in PlanItemChange.objects.filter(version__plan=plan)
    ] == [("ajout", "step", ERASED, [], []), ("modification", "step", ERASED, [], [])]
