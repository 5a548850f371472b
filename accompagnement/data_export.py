"""Level 3's records about a person, for the data export (RGPD right of access): the plan in
one section, its funding in another (they belong to different consent categories)."""

from accompagnement.funding_rules import SCHEMES
from accompagnement.models import (
    Action,
    ActionPlan,
    ContactLog,
    CostLine,
    DeclaredFacts,
    ExternalService,
    FundingRequest,
    PlanVersion,
    Step,
    TrainingPath,
)
from cep.models import Beneficiary
from cep.registries import FUNDING, PLAN, DataSection, record, register_data_section

PLAN_FIELDS = ["created_at", "updated_at"]
VERSION_FIELDS = [
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
STEP_FIELDS = ["version", "order", "title", "goal", "target_date"]
ACTION_FIELDS = ["version", "step", "description", "actor", "due_date", "status"]
TRAINING_FIELDS = [
    "version",
    "provider_name",
    "provider_chosen_by_beneficiary",
    "certification_code",
    "certification_title",
    "start_date",
    "end_date",
    "hours",
    "modality",
    "cost",
    "vae_reduction",
]
EXTERNAL_SERVICE_FIELDS = [
    "version",
    "kind",
    "provider_name",
    "provider_chosen_by_beneficiary",
    "start_date",
    "end_date",
    "expected_results",
    "follow_up_notes",
]
COST_FIELDS = ["version", "kind", "label", "amount"]
FUNDING_FIELDS = [
    "version",
    "cost_line",
    "scheme",
    "amount_requested",
    "amount_granted",
    "status",
    "contacted_on",
    "note",
    "override_eligible",
    "override_reason",
]
FACTS_FIELDS = [
    "months_salaried_total",
    "months_current_employer",
    "months_salaried_last_5_years",
    "months_fixed_term_last_12",
    "years_continuous_salaried",
    "cpf_balance",
    "employer_tops_up",
    "resigned",
    "can_pay",
    "updated_at",
]
CONTACT_FIELDS = ["contacted_on", "counterpart", "subject", "notes"]


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
        [record(p, PLAN_FIELDS) for p in plans]
        + [record(v, VERSION_FIELDS) for v in versions]
        + [record(s, STEP_FIELDS) for s in _items(Step, beneficiary)]
        + [record(a, ACTION_FIELDS) for a in _items(Action, beneficiary, "step")]
        + [record(t, TRAINING_FIELDS) for t in _items(TrainingPath, beneficiary)]
        + [record(e, EXTERNAL_SERVICE_FIELDS) for e in _items(ExternalService, beneficiary)]
    )


def _funding_request(funding: FundingRequest) -> dict:
    out = record(funding, FUNDING_FIELDS)
    # The scheme is stored as a code: the person reads its name.
    scheme = SCHEMES.get(funding.scheme)
    if scheme is not None:
        out[str(FundingRequest._meta.get_field("scheme").verbose_name)] = scheme.label
    return out


def _contact(contact: ContactLog) -> dict:
    return record(contact, CONTACT_FIELDS)


def export_funding(beneficiary: Beneficiary) -> list[dict]:
    facts = DeclaredFacts.objects.filter(parcours__beneficiary=beneficiary).order_by("pk")
    contacts = ContactLog.objects.filter(plan__parcours__beneficiary=beneficiary).order_by(
        "contacted_on", "pk"
    )
    return (
        [record(c, COST_FIELDS) for c in _items(CostLine, beneficiary)]
        + [_funding_request(f) for f in _items(FundingRequest, beneficiary, "cost_line")]
        + [record(f, FACTS_FIELDS) for f in facts]
        + [_contact(c) for c in contacts]
    )


def register_data_sections() -> None:
    register_data_section(
        DataSection(
            "plan",
            "Plan d'action : versions, étapes, actions, formation, prestations",
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
