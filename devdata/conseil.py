"""Fictional level-2 demo data on a few parcours: demand, skills, project, strategies."""

import random

from django.db import transaction
from django.utils import timezone

from cep.models import Level, Parcours
from cep.referentials.models import RomeJob, RomeJobSkill
from conseil import services
from conseil.models import DemandClarification, StrategyOption

# Past job → target job, as a counsellor would meet them (codes of ROME 4.0).
PATHS = [
    ("D1505", "K2111", "reconversion", "Devenir formatrice après dix ans en caisse."),
    ("N4101", "N1303", "mobilite_interne", "Passer de la conduite à l'approvisionnement."),
    ("J1301", "J1501", "reconversion", "Devenir aide-soignant après des années d'ASH."),
]


def seed_conseil(operator, rng: random.Random) -> None:
    if DemandClarification.objects.exists() or not RomeJob.objects.exists():
        return
    parcours_list = list(
        Parcours.objects.open()
        .filter(current_level=Level.CONSEIL, referent__isnull=False)
        .select_related("referent", "beneficiary")
        .order_by("pk")[: len(PATHS)]
    )
    for parcours, (past, target, project_type, description) in zip(
        parcours_list, PATHS, strict=False
    ):
        with transaction.atomic():
            _seed_one(parcours, past, target, project_type, description, rng)


def _seed_one(parcours, past_code, target_code, project_type, description, rng):
    referent = parcours.referent
    services.clarify_demand(
        membership=referent,
        parcours=parcours,
        priorities="Un métier utile, des horaires compatibles avec la vie de famille.",
        constraints="Pas de permis de conduire pour l'instant.",
        autonomy="appui",
        project_maturity="en_construction",
    )
    past = RomeJob.objects.filter(pk=past_code).first()
    target = RomeJob.objects.filter(pk=target_code).first()
    if past is None or target is None:
        return
    links = list(RomeJobSkill.objects.filter(job=past).select_related("skill")[:12])
    services.add_skills_from_job(
        membership=referent,
        parcours=parcours,
        job=past,
        skills=[link.skill for link in rng.sample(links, k=min(6, len(links)))],
    )
    version = services.save_project(
        membership=referent,
        parcours=parcours,
        project_type=project_type,
        description=description,
        target_jobs=[target],
        feasibility="reserve",
        market_notes="Des offres régulières dans le bassin d'emploi.",
        prerequisites_notes="Une formation certifiante est nécessaire.",
    )
    services.record_project_agreement(
        membership=referent,
        version=version,
        agreed_on=timezone.localdate(),
        channel="en_presence",
    )
    training = services.add_strategy_option(
        membership=referent,
        parcours=parcours,
        kind=StrategyOption.Kind.TRAINING,
        description="Formation certifiante en alternance.",
        pros="Rémunérée, diplôme reconnu.",
        cons="Dix-huit mois.",
    )
    services.add_strategy_option(
        membership=referent,
        parcours=parcours,
        kind=StrategyOption.Kind.VAE,
        description="Faire valider une partie de l'expérience.",
        cons="Expérience encore courte dans le métier visé.",
    )
    services.set_strategy_retained(membership=referent, option=training, retained=True)
