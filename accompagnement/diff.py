"""What changed between two versions of a plan: items matched by their `key`."""

from dataclasses import dataclass

from accompagnement.history import label_of, shown
from accompagnement.models import (
    ACTION_FIELDS,
    COST_LINE_FIELDS,
    EXTERNAL_SERVICE_FIELDS,
    FUNDING_REQUEST_FIELDS,
    STEP_FIELDS,
    TRAINING_PATH_FIELDS,
    Action,
    CostLine,
    ExternalService,
    FundingRequest,
    PlanVersion,
    Step,
    TrainingPath,
)


def _without(fields: tuple[str, ...], *left_out: str) -> list[str]:
    if missing := set(left_out) - set(fields):
        raise ValueError(f"Not in the field set: {', '.join(sorted(missing))}")
    return [name for name in fields if name not in left_out]


# The content compared: each item's field set (accompagnement.models), less what cannot tell a
# change. An action's step and a request's cost line are another row in each version (items are
# matched by their key, not their rows); the provider is always the person's choice (a
# constraint); a request's note is rewritten with the funder's answer, like the status: carrying
# the plan out, not changing it.
COMPARED = [
    (Step, "Étape", list(STEP_FIELDS)),
    (Action, "Action", _without(ACTION_FIELDS, "step")),
    (TrainingPath, "Formation", _without(TRAINING_PATH_FIELDS, "provider_chosen_by_beneficiary")),
    (
        ExternalService,
        "Prestation",
        _without(EXTERNAL_SERVICE_FIELDS, "provider_chosen_by_beneficiary"),
    ),
    (CostLine, "Coût", list(COST_LINE_FIELDS)),
    (FundingRequest, "Financement", _without(FUNDING_REQUEST_FIELDS, "cost_line", "note")),
]


@dataclass(frozen=True)
class Change:
    kind: str  # "ajout", "retrait", "modification"
    item_type: str
    label: str
    details: tuple[tuple[str, str, str], ...] = ()  # (field label, before, after)


def diff_versions(before: PlanVersion, after: PlanVersion) -> list[Change]:
    changes: list[Change] = []
    for model, item_type, fields in COMPARED:
        old = {item.key: item for item in model.objects.filter(version=before)}
        new = {item.key: item for item in model.objects.filter(version=after)}
        for key, item in new.items():
            if key not in old:
                changes.append(Change("ajout", item_type, label_of(item)))
                continue
            details = tuple(
                (
                    str(model._meta.get_field(name).verbose_name),
                    shown(old[key], name),
                    shown(item, name),
                )
                for name in fields
                if getattr(old[key], name) != getattr(item, name)
            )
            if details:
                changes.append(Change("modification", item_type, label_of(item), details))
        changes.extend(
            Change("retrait", item_type, label_of(item))
            for key, item in old.items()
            if key not in new
        )
    return changes
