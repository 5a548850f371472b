from django.db.models import Prefetch

from cep.models import Level, Parcours, ReferentAssignment, Service
from conseil.models import (
    DemandClarification,
    HeldSkill,
    ProjectVersion,
    StrategyOption,
    TrainingNeed,
)


def level_2_services(parcours: Parcours) -> list[Service]:
    return list(
        parcours.services.filter(level__gte=Level.CONSEIL)
        .select_related("counsellor__user")
        .order_by("-delivered_on", "-pk")
    )


def referent_history(parcours: Parcours) -> list[ReferentAssignment]:
    return list(
        ReferentAssignment.objects.filter(parcours=parcours)
        .select_related("referent__user", "assigned_by__user")
        .order_by("assigned_at", "pk")
    )


def clarifications(parcours: Parcours) -> list[DemandClarification]:
    return list(
        DemandClarification.objects.filter(parcours=parcours).select_related("recorded_by__user")
    )


def held_skills(parcours: Parcours) -> list[HeldSkill]:
    return list(
        HeldSkill.objects.filter(parcours=parcours)
        .select_related("rome_skill", "from_job")
        .order_by("-transferable", "created_at", "pk")
    )


def held_rome_skill_ids(parcours: Parcours) -> set[int]:
    return set(
        HeldSkill.objects.filter(parcours=parcours, rome_skill__isnull=False).values_list(
            "rome_skill_id", flat=True
        )
    )


def training_need_ids(parcours: Parcours) -> set[int]:
    return set(
        TrainingNeed.objects.filter(parcours=parcours).values_list("rome_skill_id", flat=True)
    )


def project_versions(parcours: Parcours) -> list[ProjectVersion]:
    return list(
        ProjectVersion.objects.filter(parcours=parcours)
        .select_related("agreement_recorded_by__user", "created_by__user")
        .prefetch_related(Prefetch("target_jobs"))
        .order_by("-number")
    )


def strategy_options(parcours: Parcours) -> list[StrategyOption]:
    return list(StrategyOption.objects.filter(parcours=parcours).select_related("created_by__user"))


def retained_strategies(parcours: Parcours) -> list[StrategyOption]:
    """The strategies retained for a parcours, in the order they were retained."""
    return list(
        StrategyOption.objects.filter(parcours=parcours, retained=True).order_by(
            "retained_on", "pk"
        )
    )


def agreed_project(parcours: Parcours) -> ProjectVersion | None:
    """The project version the person agreed to, if any (the synthèse starts from it)."""
    return ProjectVersion.objects.filter(
        parcours=parcours, status=ProjectVersion.Status.AGREED
    ).first()
