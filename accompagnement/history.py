"""The history of a draft plan: each item added, corrected or removed, with its values before and
after, labelled and formatted in French when the change is written.

The values are written already shown ("6 500,00 €", "12/03/2026", a funder's name), next to the
raw value, so the history reads the same after the item is gone or a funder renamed; the page
that shows it runs no query per row.
"""

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.text import capfirst

from accompagnement.costs import euros
from accompagnement.funding_rules import SCHEMES
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
    PlanItemChange,
    PlanVersion,
    Step,
    TrainingPath,
)
from cep.models import Membership

# The fields the history keeps, per kind of item: its field set (what the counsellor writes).
HISTORY_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Step: STEP_FIELDS,
    Action: ACTION_FIELDS,
    TrainingPath: TRAINING_PATH_FIELDS,
    ExternalService: EXTERNAL_SERVICE_FIELDS,
    CostLine: COST_LINE_FIELDS,
    FundingRequest: FUNDING_REQUEST_FIELDS,
}
KINDS: dict[type[models.Model], str] = {
    Step: PlanItemChange.Kind.STEP,
    Action: PlanItemChange.Kind.ACTION,
    TrainingPath: PlanItemChange.Kind.TRAINING,
    ExternalService: PlanItemChange.Kind.EXTERNAL,
    CostLine: PlanItemChange.Kind.COST,
    FundingRequest: PlanItemChange.Kind.FUNDING,
}
SCHEMES_NOTES = "schemes_notes"


def shown(instance: models.Model, name: str) -> str:
    """A field's value as the page shows it."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value is None or value == "":
        return "—"
    if name == "scheme":
        scheme = SCHEMES.get(value)
        return scheme.label if scheme else str(value)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Decimal):
        return euros(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def raw(instance: models.Model, name: str):
    field = instance._meta.get_field(name)
    if field.is_relation:
        return getattr(instance, field.attname)
    value = getattr(instance, name)
    if isinstance(value, Decimal):
        return f"{value:.{field.decimal_places}f}"  # 6500 typed, 6500.00 stored: one value
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields: tuple[str, ...] | None = None) -> list[dict]:
    """The item's values, labelled: what the history keeps of it."""
    names = fields if fields is not None else HISTORY_FIELDS[type(instance)]
    return [
        {
            "field": name,
            "label": str(capfirst(instance._meta.get_field(name).verbose_name)),
            "value": raw(instance, name),
            "shown": shown(instance, name),
        }
        for name in names
    ]


def changed(before: list[dict], after: list[dict]) -> tuple[list[dict], list[dict]]:
    """Only the fields whose value changed, on both sides."""
    old = {entry["field"]: entry for entry in before}
    moved = [entry for entry in after if old[entry["field"]]["value"] != entry["value"]]
    names = {entry["field"] for entry in moved}
    return [entry for entry in before if entry["field"] in names], moved


def label_of(item: models.Model) -> str:
    """How the history and the comparison name an item: a funder by its name, not its code."""
    if isinstance(item, FundingRequest):
        scheme = SCHEMES.get(item.scheme)
        return scheme.label if scheme else item.scheme
    return str(item)


def record(
    *,
    membership: Membership,
    version: PlanVersion,
    item: models.Model | None,
    change: str,
    before: list[dict] = (),  # type: ignore[assignment]
    after: list[dict] = (),  # type: ignore[assignment]
    kind: str | None = None,
    label: str | None = None,
) -> PlanItemChange:
    return PlanItemChange.objects.create(
        operator_id=version.operator_id,
        version=version,
        item_kind=kind or KINDS[type(item)],
        item_key=getattr(item, "key", None),
        item_label=(label if label is not None else label_of(item))[:300],
        change=change,
        membership=membership,
        before=list(before),
        after=list(after),
    )
