"""Reads of the synthèse: what a document contains, and the documents of a parcours."""

from django.db.models import QuerySet

from accompagnement.funding_rules import SCHEMES
from accompagnement.selectors import declared_facts, funding_summary, timeline, version_with_items
from cep.models import Beneficiary, Consent, Parcours, Service
from conseil.selectors import retained_strategies
from synthese.models import SynthesisDocument


def documents_of(parcours: Parcours) -> QuerySet[SynthesisDocument]:
    return SynthesisDocument.objects.filter(parcours=parcours).select_related("requested_by__user")


def has_email_consent(beneficiary: Beneficiary) -> bool:
    """The person accepted to receive documents by e-mail and has not withdrawn it."""
    return Consent.objects.filter(
        beneficiary=beneficiary,
        purpose=Consent.Purpose.SYNTHESIS_BY_EMAIL,
        withdrawn_at__isnull=True,
    ).exists()


def document_for_render(document_id: int) -> SynthesisDocument:
    return SynthesisDocument.objects.select_related(
        "operator",
        "parcours__beneficiary",
        "parcours__referent__user",
        "project_version__agreement_recorded_by__user",
    ).get(pk=document_id)


def document_content(document: SynthesisDocument) -> dict:
    """Everything the common model shows, in a fixed number of queries.

    Only what was recorded when the document was asked for: the same version renders the same
    text every time. Counsellors' confidential notes are never part of it.
    """
    parcours = document.parcours
    services = list(
        Service.objects.filter(parcours=parcours, created_at__lte=document.requested_at)
        .select_related("counsellor__user")
        .order_by("delivered_on", "pk")
    )
    project = document.project_version
    strategies = retained_strategies(parcours)
    plan = summary = None
    calendar = []
    if document.plan_version_id:
        plan = version_with_items(document.plan_version_id)
        declared = declared_facts(parcours)
        summary = funding_summary(plan, declared, beneficiary=parcours.beneficiary)
        calendar = timeline(plan)
    return {
        "document": document,
        "operator": document.operator,
        "beneficiary": parcours.beneficiary,
        "parcours": parcours,
        "referent": parcours.referent,
        "services": services,
        "project": project,
        "target_jobs": list(project.target_jobs.order_by("code")),
        "strategies": strategies,
        "plan": plan,
        "summary": summary,
        "calendar": calendar,
        "scheme_labels": {code: scheme.label for code, scheme in SCHEMES.items()},
    }
