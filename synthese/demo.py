"""Fictional demo data: a synthèse for the parcours whose action plan the person agreed to."""

import random

from django.utils import timezone

from accompagnement.models import PlanVersion
from cep.models import Parcours
from cep.nomenclatures import ProjectType
from conseil import services as conseil
from conseil.models import ProjectVersion
from synthese import services
from synthese.models import SynthesisDocument


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
