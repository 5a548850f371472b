"""What changed between two versions of a plan: items matched by their `key`."""

from dataclasses import dataclass

from accompagnement.models import (
    Action,
    CostLine,
    ExternalService,
    FundingRequest,
    PlanVersion,
    Step,
    TrainingPath,
)

# Content compared, per kind of item (execution fields such as an action's status are not).
COMPARED = [
    (Step, "Étape", ["title", "goal", "target_date", "order"]),
    (Action, "Action", ["description", "actor", "due_date"]),
    (
        TrainingPath,
        "Formation",
        [
            "provider_name",
            "certification_code",
            "certification_title",
            "start_date",
            "end_date",
            "hours",
            "modality",
            "cost",
            "vae_reduction",
        ],
    ),
    (
        ExternalService,
        "Prestation",
        ["kind", "provider_name", "start_date", "end_date", "expected_results"],
    ),
    (CostLine, "Coût", ["kind", "label", "amount"]),
    (FundingRequest, "Financement", ["scheme", "amount_requested"]),
]


@dataclass(frozen=True)
class Change:
    kind: str  # "ajout", "retrait", "modification"
    item_type: str
    label: str
    details: tuple[tuple[str, str, str], ...] = ()  # (field label, before, after)


def shown(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def diff_versions(before: PlanVersion, after: PlanVersion) -> list[Change]:
    changes: list[Change] = []
    for model, item_type, fields in COMPARED:
        old = {item.key: item for item in model.objects.filter(version=before)}
        new = {item.key: item for item in model.objects.filter(version=after)}
        for key, item in new.items():
            if key not in old:
                changes.append(Change("ajout", item_type, str(item)))
                continue
            details = tuple(
                (
                    str(model._meta.get_field(name).verbose_name),
                    shown(getattr(old[key], name)),
                    shown(getattr(item, name)),
                )
                for name in fields
                if getattr(old[key], name) != getattr(item, name)
            )
            if details:
                changes.append(Change("modification", item_type, str(item), details))
        changes.extend(
            Change("retrait", item_type, str(item)) for key, item in old.items() if key not in new
        )
    return changes
