"""The synthèse documents of a person, for the data export (RGPD right of access)."""

from cep.models import Beneficiary
from cep.registries import SYNTHESES, DataSection, record, register_data_section
from synthese.models import SynthesisDocument

# The file itself is downloadable from the person's space; the export describes each version.
DOCUMENT_FIELDS = [
    "number",
    "project_version",
    "plan_version",
    "status",
    "requested_at",
    "ready_at",
    "sha256",
    "page_count",
]


def export(beneficiary: Beneficiary) -> list[dict]:
    documents = (
        SynthesisDocument.objects.filter(parcours__beneficiary=beneficiary)
        .select_related("project_version", "plan_version")
        .order_by("parcours_id", "number")
    )
    return [record(d, DOCUMENT_FIELDS) for d in documents]


def register_data_sections() -> None:
    register_data_section(
        DataSection("syntheses", "Documents de synthèse", SYNTHESES, export, order=70)
    )
