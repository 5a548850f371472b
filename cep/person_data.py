"""The person's data, all of it, for their right of access and for the liaison file: the
kernel's records, and every section the apps registered (cep.registries.DataSection)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cep.models import (
    BENEFICIARY_FIELDS,
    SERVICE_FIELDS,
    Beneficiary,
    Parcours,
    ReferentAssignment,
    Service,
)
from cep.registries import (
    IDENTITY,
    RECORD_KIND,
    RECORD_NUMBER,
    SITUATION,
    DataSection,
    data_sections,
    json_value,
    record,
    register_data_section,
)

NARROW_NBSP = "\u202f"  # the French thousands separator

# The person's fields, and when this operator created and last changed the file.
IDENTITY_FIELDS = [*BENEFICIARY_FIELDS, "created_at", "updated_at"]


def _identity(beneficiary: Beneficiary) -> list[dict]:
    return [record(beneficiary, IDENTITY_FIELDS)]


def _identity_shared(beneficiary: Beneficiary) -> list[dict]:
    """What another operator receives: the person, not this operator's bookkeeping dates."""
    return [record(beneficiary, list(BENEFICIARY_FIELDS))]


def _parcours(beneficiary: Beneficiary) -> list[dict]:
    parcours = Parcours.objects.filter(beneficiary=beneficiary).select_related(
        "referent__user", "referent__operator"
    )
    assignments = ReferentAssignment.objects.filter(parcours__beneficiary=beneficiary)
    fields = [
        "referent",
        "entry_level",
        "current_level",
        "autonomy",
        "project_maturity",
        "opened_on",
        "closed_on",
        "closing_reason",
        "last_contact_on",
    ]
    return [record(p, fields) for p in parcours] + [
        record(a, ["parcours", "referent", "assigned_at", "reason"])
        for a in assignments.select_related(
            "referent__user", "referent__operator", "parcours__beneficiary", "parcours__operator"
        )
    ]


def _services(beneficiary: Beneficiary) -> list[dict]:
    services = Service.objects.filter(parcours__beneficiary=beneficiary).select_related(
        "counsellor__user", "counsellor__operator"
    )
    # The counsellors' notes are data about the person: the right of access covers them.
    fields = ["level", *SERVICE_FIELDS, "counsellor"]
    return [record(s, fields) for s in services.order_by("delivered_on", "pk")]


def _services_shared(beneficiary: Beneficiary) -> list[dict]:
    """The services received, without the counsellors' confidential notes: what another
    operator receives."""
    services = Service.objects.filter(parcours__beneficiary=beneficiary).select_related(
        "counsellor__user", "counsellor__operator"
    )
    fields = ["level", *(name for name in SERVICE_FIELDS if name != "notes")]
    return [record(s, fields) for s in services.order_by("delivered_on", "pk")]


def register_core_sections() -> None:
    register_data_section(
        DataSection(
            "identite",
            "Identité et coordonnées",
            IDENTITY,
            _identity,
            order=0,
            liaison=_identity_shared,
        )
    )
    register_data_section(
        DataSection("parcours", "Parcours et référents", SITUATION, _parcours, order=10)
    )
    register_data_section(
        DataSection(
            "services", "Services reçus", SITUATION, _services, 20, liaison=_services_shared
        )
    )


def liaison_content(beneficiary: Beneficiary, categories: list[str]) -> list[dict]:
    """The liaison file: the shared sections of the consented categories, and nothing else.
    Each record is a list of [label, value] pairs: stored as JSON in PostgreSQL, whose jsonb
    does not keep the order of an object's keys."""
    return [
        {
            "cle": section.key,
            "titre": section.label,
            "categorie": section.consent_category,
            "enregistrements": [
                [
                    [label, json_value(value)]
                    for label, value in item.items()
                    if label != RECORD_NUMBER
                ]
                for item in section.liaison_records(beneficiary)
            ],
        }
        for section in data_sections()
        if section.shared and section.consent_category in categories
    ]


def person_records(beneficiary: Beneficiary) -> dict:
    """Every record about the person, section by section, values as Python values (dates,
    amounts): person_data writes them as JSON, readable_data for the HTML page."""
    return {
        "genere_le": timezone.now(),
        "operateur": beneficiary.operator.name,
        "sections": [
            {
                "cle": section.key,
                "titre": section.label,
                "categorie": section.consent_category,
                "enregistrements": section.export(beneficiary),
            }
            for section in data_sections()
        ],
    }


def person_data(beneficiary: Beneficiary) -> dict:
    """The person's data as JSON: French keys, choices as their labels, ISO dates."""
    return json_value(person_records(beneficiary))


def readable_data(records: dict) -> dict:
    """The same records for the HTML page: every value as a French text."""
    return {
        "genere_le": readable_value(records["genere_le"]),
        "operateur": records["operateur"],
        "sections": [
            {
                "titre": section["titre"],
                "enregistrements": [
                    {
                        "element": item[RECORD_KIND],
                        "numero": item[RECORD_NUMBER],
                        "champs": [
                            (label, readable_value(value))
                            for label, value in item.items()
                            if label not in (RECORD_KIND, RECORD_NUMBER)
                        ],
                    }
                    for item in section["enregistrements"]
                ],
            }
            for section in records["sections"]
        ],
    }


def readable_value(value) -> str:
    """A value as a person reads it: dd/mm/yyyy, "6 200,00", Oui/Non, "—" for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y à %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"{value:,}".replace(",", NARROW_NBSP).replace(".", ",")
    if isinstance(value, list | tuple):
        return ", ".join(readable_value(v) for v in value)
    return str(value)
