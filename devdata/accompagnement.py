"""Fictional level-3 demo data: one agreed plan with a training path and two funders."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accompagnement import services
from accompagnement.funding_defaults import ensure_default_parameters
from accompagnement.models import ActionPlan, CostLine
from cep.models import Level, Parcours


def seed_accompagnement(operator, rng: random.Random) -> None:
    ensure_default_parameters()
    if ActionPlan.objects.filter(versions__steps__isnull=False).exists():
        return
    parcours = (
        Parcours.objects.open()
        .filter(current_level=Level.ACCOMPAGNEMENT, referent__isnull=False)
        .select_related("referent", "beneficiary")
        .order_by("pk")
        .first()
    )
    if parcours is None:
        return
    with transaction.atomic():
        _seed(parcours)


def _seed(parcours: Parcours) -> None:
    referent = parcours.referent
    plan = services.ensure_plan(membership=referent, parcours=parcours)
    today = timezone.localdate()

    def add(item_type, **fields):
        return services.add_item(membership=referent, plan=plan, item_type=item_type, **fields)

    prepare = add(
        "step",
        order=1,
        title="Préparer l'entrée en formation",
        goal="Dossier complet",
        target_date=today + timedelta(days=30),
    )
    train = add(
        "step",
        order=2,
        title="Suivre la formation",
        goal="Obtenir le titre",
        target_date=today + timedelta(days=300),
    )
    add(
        "action",
        step=prepare,
        description="Déposer la demande de financement",
        actor="conseiller",
        due_date=today + timedelta(days=10),
    )
    add(
        "action",
        step=prepare,
        description="Passer l'entretien de sélection",
        actor="beneficiaire",
        due_date=today + timedelta(days=20),
    )
    add(
        "action",
        step=train,
        description="Point d'étape à mi-parcours",
        actor="conseiller",
        due_date=today + timedelta(days=150),
    )
    training = add(
        "training",
        provider_name="Institut régional de formation (fictif)",
        provider_chosen_by_beneficiary=True,
        certification_code="RNCP00000",
        certification_title="Titre professionnel (exemple)",
        start_date=today + timedelta(days=45),
        end_date=today + timedelta(days=300),
        hours=840,
        modality="alternance",
        cost=Decimal("6200.00"),
        vae_reduction=Decimal("800.00"),
    )
    # The training brings its cost line (6 200 € less 800 € after VAE): not typed again.
    line = CostLine.objects.get(training=training)
    add("funding", cost_line=line, scheme="cpf", amount_requested=Decimal("1800.00"))
    add("funding", cost_line=line, scheme="region", amount_requested=Decimal("3600.00"))
    services.record_plan_agreement(
        membership=referent, plan=plan, agreed_on=today, channel="en_presence"
    )
