"""Fictional demo data: a synthèse for the parcours whose action plan the person agreed to."""

import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from accompagnement import services as accompagnement
from accompagnement.models import PlanVersion
from cep.models import BeneficiaryAccount, Consent, Operator, Parcours
from cep.nomenclatures import ProjectType
from conseil import services as conseil
from conseil.models import ProjectVersion
from devdata import DEMO_PASSWORD
from synthese import services
from synthese.models import SynthesisDocument

DEMO_BENEFICIARY = "beneficiaire.demo"


def seed_synthese(operator, rng: random.Random) -> None:
    if SynthesisDocument.objects.exists():
        return
    parcours = (
        Parcours.objects.open()
        .filter(referent__isnull=False, action_plan__versions__status=PlanVersion.Status.AGREED)
        .select_related("referent", "beneficiary")
        .order_by("pk")
        .first()
    )
    if parcours is None:
        return
    if not ProjectVersion.objects.filter(parcours=parcours, status="valide").exists():
        # The demo plan was built on a direct entry at level 3: give it the project it serves.
        version = conseil.save_project(
            membership=parcours.referent,
            parcours=parcours,
            project_type=ProjectType.RECONVERSION,
            description="Se reconvertir dans la comptabilité après quinze ans dans la vente, "
            "avec un titre professionnel obtenu en formation.",
            target_jobs=[],
            feasibility="favorable",
            market_notes="Des offres régulières dans le bassin d'emploi.",
        )
        conseil.record_project_agreement(
            membership=parcours.referent,
            version=version,
            agreed_on=timezone.localdate(),
            channel="en_presence",
        )
    # Rendered by the worker once it runs (in-process when the demo runs without Redis).
    services.request_synthesis(membership=parcours.referent, parcours=parcours)
    if operator.pk == Operator.objects.order_by("pk").values_list("pk", flat=True).first():
        open_demo_space(parcours)


def open_demo_space(parcours: Parcours) -> None:
    """A demo login for the beneficiary space: the person of this parcours, with a revised plan
    waiting for their agreement."""
    beneficiary = parcours.beneficiary
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_BENEFICIARY,
        defaults={
            "email": f"{DEMO_BENEFICIARY}@demo.cep.invalid",
            "first_name": beneficiary.first_name,
            "last_name": beneficiary.last_name,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not beneficiary.email:
        beneficiary.email = user.email
        beneficiary.save(update_fields=["email"])
    BeneficiaryAccount.objects.get_or_create(
        beneficiary=beneficiary, defaults={"operator_id": beneficiary.operator_id, "user": user}
    )
    Consent.objects.get_or_create(
        beneficiary=beneficiary,
        purpose=Consent.Purpose.SYNTHESIS_BY_EMAIL,
        defaults={
            "operator_id": beneficiary.operator_id,
            "given_at": timezone.now(),
            "evidence": "Formulaire signé lors du premier entretien",
            "recorded_by": parcours.referent,
        },
    )
    accompagnement.revise_plan(
        membership=parcours.referent,
        plan=parcours.action_plan,
        reason="Ajout d'une immersion en entreprise avant l'entrée en formation.",
    )
