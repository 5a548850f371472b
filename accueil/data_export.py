"""Level 1's records about a person, for the data export (RGPD right of access)."""

from accueil.models import (
    INTAKE_CONSTRAINT_FIELDS,
    INTAKE_REQUEST_FIELDS,
    InformationDelivery,
    IntakeRequest,
    Routing,
    RoutingStatusChange,
    SessionRegistration,
)
from cep.models import Beneficiary
from cep.registries import SITUATION, DataSection, record, register_data_section

# The request's field set, and what the platform and the routing wrote about it.
INTAKE_FIELDS = [
    *INTAKE_REQUEST_FIELDS,
    *INTAKE_CONSTRAINT_FIELDS,
    "eligibility_reason",
    "received_by",
    "suggested_structure",
    "outcome",
    "outcome_on",
    "outcome_reason",
    "created_at",
]
INFORMATION_FIELDS = ["service", "themes", "resources"]
ROUTING_FIELDS = ["target", "reason", "status", "transfer", "created_at"]
ROUTING_CHANGE_FIELDS = ["routing", "status", "note", "changed_at"]
REGISTRATION_FIELDS = ["session", "attendance", "registered_at"]


def _information(delivery: InformationDelivery) -> dict:
    out = record(delivery, INFORMATION_FIELDS)
    # Themes are stored as codes: the person reads their labels.
    out[str(InformationDelivery._meta.get_field("themes").verbose_name)] = delivery.theme_labels
    return out


def export(beneficiary: Beneficiary) -> list[dict]:
    # One query per model, whatever the number of rows: str() of each related object is
    # read from the joined rows.
    intakes = (
        IntakeRequest.objects.filter(parcours__beneficiary=beneficiary)
        .select_related("received_by__user", "received_by__operator", "suggested_structure")
        .order_by("received_on", "pk")
    )
    deliveries = (
        InformationDelivery.objects.filter(service__parcours__beneficiary=beneficiary)
        .select_related("service")
        .order_by("service__delivered_on", "pk")
    )
    routings = (
        Routing.objects.filter(parcours__beneficiary=beneficiary)
        .select_related("target", "transfer")
        .order_by("created_at", "pk")
    )
    changes = (
        RoutingStatusChange.objects.filter(routing__parcours__beneficiary=beneficiary)
        .select_related("routing__target")
        .order_by("changed_at", "pk")
    )
    registrations = (
        SessionRegistration.objects.filter(beneficiary=beneficiary)
        .select_related("session")
        .order_by("session__starts_at", "pk")
    )
    return (
        [record(i, INTAKE_FIELDS) for i in intakes]
        + [_information(d) for d in deliveries]
        + [record(r, ROUTING_FIELDS) for r in routings]
        + [record(c, ROUTING_CHANGE_FIELDS) for c in changes]
        + [record(r, REGISTRATION_FIELDS) for r in registrations]
    )


def register_data_sections() -> None:
    register_data_section(
        DataSection(
            "accueil",
            "Accueil : demandes, informations, orientations, sessions",
            SITUATION,
            export,
            order=30,
        )
    )
