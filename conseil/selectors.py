from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from accueil.models import IntakeRequest
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


@dataclass(frozen=True)
class IntakeProposal:
    """What the person said at intake, offered to level 2 as a proposal the counsellor edits."""

    received_on: date
    motive: str
    project_type: str
    constraints: str


def intake_proposal(parcours: Parcours) -> IntakeProposal | None:
    """The intake of the parcours, if it went through level 1 (one query)."""
    intake = IntakeRequest.objects.filter(parcours=parcours).first()
    if intake is None:
        return None
    flagged = [
        str(IntakeRequest._meta.get_field(name).verbose_name)
        for name in (
            "constraint_family",
            "constraint_health",
            "constraint_mobility",
            "constraint_disability",
        )
        if getattr(intake, name)
    ]
    parts = [", ".join(flagged).capitalize()] if flagged else []
    if intake.constraints_notes.strip():
        parts.append(intake.constraints_notes.strip())
    return IntakeProposal(
        received_on=intake.received_on,
        motive=intake.motive,
        project_type=intake.project_type,
        constraints=". ".join(parts),
    )
