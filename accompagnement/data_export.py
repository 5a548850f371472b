"""Level 3's records about a person, for the data export (RGPD right of access): the plan in
one section, its funding in another (they belong to different consent categories)."""

from accompagnement.funding_rules import SCHEMES
from accompagnement.models import (
    ACTION_FIELDS,
    CONTACT_LOG_FIELDS,
    COST_LINE_FIELDS,
    DECLARED_FACTS_FIELDS,
    EXTERNAL_SERVICE_FIELDS,
    FUNDING_REQUEST_FIELDS,
    STEP_FIELDS,
    TRAINING_PATH_FIELDS,
    Action,
    ActionPlan,
    ContactLog,
    CostLine,
    DeclaredFacts,
    ExternalService,
    FundingRequest,
    PlanItemChange,
    PlanVersion,
    Step,
    TrainingPath,
)
from cep.models import Beneficiary
from cep.registries import FUNDING, PLAN, DataSection, record, register_data_section

PLAN_EXPORT = ["created_at", "updated_at"]
VERSION_EXPORT = [
    "number",
    "status",
    "revision_reason",
    "agreed_on",
    "agreement_channel",
    "agreement_recorded_by",
    "agreed_by_account",
    "schemes_notes",
    "created_at",
]
# Each item's field set (accompagnement.models), after the version it belongs to.
STEP_EXPORT = ["version", *STEP_FIELDS]
# An action's status is the plan carried out, written by its own service.
ACTION_EXPORT = ["version", *ACTION_FIELDS, "status"]
TRAINING_EXPORT = ["version", *TRAINING_PATH_FIELDS]
# The follow-up of the service is written by its own service.
EXTERNAL_SERVICE_EXPORT = ["version", *EXTERNAL_SERVICE_FIELDS, "follow_up_notes"]
COST_EXPORT = ["version", *COST_LINE_FIELDS]
# The funder's answer and the counsellor's opinion, written by their own services.
FUNDING_EXPORT = [
    "version",
    *FUNDING_REQUEST_FIELDS,
    "amount_granted",
    "status",
    "contacted_on",
    "override_eligible",
    "override_reason",
]
FACTS_EXPORT = [*DECLARED_FACTS_FIELDS, "updated_at"]  # when the person last declared them
CONTACT_EXPORT = list(CONTACT_LOG_FIELDS)


# The history of the drafts: which item, what change, by whom, when; its values as the pages
# show them (already labelled and formatted when the change was written).
CHANGE_EXPORT = ["version", "item_kind", "item_label", "change", "membership", "changed_at"]


def _change(change: PlanItemChange) -> dict:
    out = record(change, CHANGE_EXPORT)
    # "élément" names the record's own kind in the export: the item's kind reads as its type.
    out["type d'élément"] = out.pop("élément (champ)")
    for name, values in (("before", change.before), ("after", change.after)):
        label = str(PlanItemChange._meta.get_field(name).verbose_name)
        out[label] = [f"{value['label']} : {value['shown']}" for value in values]
    return out


def _items(model, beneficiary: Beneficiary, *related: str):
    return (
        model.objects.filter(version__plan__parcours__beneficiary=beneficiary)
        .select_related("version", *related)
        .order_by("version__number", "pk")
    )


def export_plan(beneficiary: Beneficiary) -> list[dict]:
    # One query per model, whatever the number of versions and items.
    plans = ActionPlan.objects.filter(parcours__beneficiary=beneficiary).order_by("pk")
    versions = (
        PlanVersion.objects.filter(plan__parcours__beneficiary=beneficiary)
        .select_related(
            "agreement_recorded_by__user",
            "agreement_recorded_by__operator",
            "agreed_by_account__beneficiary",
        )
        .order_by("plan_id", "number")
    )
    return (
        [record(p, PLAN_EXPORT) for p in plans]
        + [record(v, VERSION_EXPORT) for v in versions]
        + [record(s, STEP_EXPORT) for s in _items(Step, beneficiary)]
        + [record(a, ACTION_EXPORT) for a in _items(Action, beneficiary, "step")]
        + [record(t, TRAINING_EXPORT) for t in _items(TrainingPath, beneficiary)]
        + [record(e, EXTERNAL_SERVICE_EXPORT) for e in _items(ExternalService, beneficiary)]
        + [
            _change(c)
            for c in PlanItemChange.objects.filter(version__plan__parcours__beneficiary=beneficiary)
            .select_related("version", "membership__user", "membership__operator")
            .order_by("version__number", "changed_at", "pk")
        ]
    )


def _funding_request(funding: FundingRequest) -> dict:
    out = record(funding, FUNDING_EXPORT)
    # The scheme is stored as a code: the person reads its name.
    scheme = SCHEMES.get(funding.scheme)
    if scheme is not None:
        out[str(FundingRequest._meta.get_field("scheme").verbose_name)] = scheme.label
    return out


def _contact(contact: ContactLog) -> dict:
    return record(contact, CONTACT_EXPORT)


def export_funding(beneficiary: Beneficiary) -> list[dict]:
    facts = DeclaredFacts.objects.filter(parcours__beneficiary=beneficiary).order_by("pk")
    contacts = ContactLog.objects.filter(plan__parcours__beneficiary=beneficiary).order_by(
        "contacted_on", "pk"
    )
    return (
        [record(c, COST_EXPORT) for c in _items(CostLine, beneficiary)]
        + [_funding_request(f) for f in _items(FundingRequest, beneficiary, "cost_line")]
        + [record(f, FACTS_EXPORT) for f in facts]
        + [_contact(c) for c in contacts]
    )


def register_data_sections() -> None:
    register_data_section(
        DataSection(
            "plan",
            "Plan d'action : versions, étapes, actions, formation, prestations, corrections",
            PLAN,
            export_plan,
            order=50,
        )
    )
    register_data_section(
        DataSection(
            "financement",
            "Financement : coûts, demandes, faits déclarés, contacts",
            FUNDING,
            export_funding,
            order=60,
        )
    )
