"""Level 2's records about a person, for the data export (RGPD right of access)."""

from cep.models import Beneficiary
from cep.registries import PROJECT, DataSection, record, register_data_section
from conseil.models import (
    DEMAND_CLARIFICATION_FIELDS,
    PROJECT_FIELDS,
    STRATEGY_OPTION_FIELDS,
    DemandClarification,
    HeldSkill,
    ProjectVersion,
    StrategyOption,
    TrainingNeed,
)

# Each model's field set (conseil.models), and what the platform records about it.
CLARIFICATION_EXPORT = [*DEMAND_CLARIFICATION_FIELDS, "recorded_at"]
HELD_SKILL_EXPORT = ["rome_skill", "free_label", "source", "from_job", "transferable", "created_at"]
TRAINING_NEED_EXPORT = ["rome_skill", "target_job", "created_at"]
PROJECT_EXPORT = [
    "number",
    "status",
    "revision_reason",
    "agreed_on",
    "agreement_channel",
    "agreement_recorded_by",
    "agreed_by_account",
    *PROJECT_FIELDS,
    "created_at",
]
STRATEGY_EXPORT = [*STRATEGY_OPTION_FIELDS, "retained", "retained_on", "created_at"]


def export(beneficiary: Beneficiary) -> list[dict]:
    # One query per model (two for projects and their target jobs), whatever the number of rows.
    mine = {"parcours__beneficiary": beneficiary}
    clarifications = DemandClarification.objects.filter(**mine).order_by("recorded_at", "pk")
    held_skills = (
        HeldSkill.objects.filter(**mine)
        .select_related("rome_skill", "from_job")
        .order_by("created_at", "pk")
    )
    training_needs = (
        TrainingNeed.objects.filter(**mine)
        .select_related("rome_skill", "target_job")
        .order_by("created_at", "pk")
    )
    projects = (
        ProjectVersion.objects.filter(**mine)
        .select_related(
            "agreement_recorded_by__user",
            "agreement_recorded_by__operator",
            "agreed_by_account__beneficiary",
        )
        .prefetch_related("target_jobs")
        .order_by("parcours_id", "number")
    )
    strategies = StrategyOption.objects.filter(**mine).order_by("created_at", "pk")
    return (
        [record(c, CLARIFICATION_EXPORT) for c in clarifications]
        + [record(s, HELD_SKILL_EXPORT) for s in held_skills]
        + [record(n, TRAINING_NEED_EXPORT) for n in training_needs]
        + [record(p, PROJECT_EXPORT) for p in projects]
        + [record(s, STRATEGY_EXPORT) for s in strategies]
    )


def register_data_sections() -> None:
    register_data_section(
        DataSection(
            "conseil",
            "Conseil : demande, compétences, projet et stratégie",
            PROJECT,
            export,
            order=40,
        )
    )
