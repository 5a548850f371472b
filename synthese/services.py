"""Writes of the synthèse: asking for one, rendering it, delivering it.

Asking is one transaction that enqueues the render on commit. Rendering is deliberately split into
three short transactions (start, store, or fail) around the WeasyPrint call, so the counsellor sees
"en cours" while it renders and no row lock is held during it. Each step re-reads the document
under a lock: a second run of the same version (a retry, a redelivered message) stores nothing
more once the first one stored the file.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scopes_disabled

from accompagnement import selectors as accompagnement_selectors
from cep.audit import log_event
from cep.background import enqueue
from cep.links import absolute_url
from cep.models import AuditEvent, Level, Membership, Parcours
from conseil import selectors as conseil_selectors
from synthese import links, selectors
from synthese.models import SynthesisDocument, document_path
from synthese.rendering import html_to_pdf, render_html

logger = logging.getLogger(__name__)


RENDER_TASK = "synthese.tasks.render_synthesis"


def enqueue_render(*, document_id: int, operator_id: int) -> None:
    """Hand the render to the worker on commit. A broker that does not answer loses nothing: the
    document stays queued and the periodic sweep enqueues it again."""
    enqueue(RENDER_TASK, operator_id=operator_id, document_id=document_id, robust=True)


@transaction.atomic
def request_synthesis(*, membership: Membership, parcours: Parcours) -> SynthesisDocument:
    """A new version of the synthèse, from the project and plan the person agreed to."""
    Parcours.objects.select_for_update().filter(pk=parcours.pk).first()  # numbering, one at a time
    if parcours.current_level < Level.CONSEIL:
        raise ValidationError(
            {"parcours": "La synthèse conclut un conseil personnalisé (niveau 2 ou 3)."}
        )
    project = conseil_selectors.agreed_project(parcours)
    if project is None:
        raise ValidationError(
            {
                "parcours": "La synthèse reprend le projet validé par la personne : "
                "enregistrez d'abord son accord sur le projet."
            }
        )
    if SynthesisDocument.objects.filter(
        parcours=parcours, status__in=SynthesisDocument.PENDING
    ).exists():
        raise ValidationError(
            {"parcours": "Une synthèse est déjà en préparation pour ce parcours."}
        )
    plan_version = accompagnement_selectors.agreed_plan_version(parcours)
    last = SynthesisDocument.objects.filter(parcours=parcours).aggregate(n=Max("number"))["n"]
    document = SynthesisDocument.objects.create(
        operator_id=parcours.operator_id,
        parcours=parcours,
        number=(last or 0) + 1,
        project_version=project,
        plan_version=plan_version,
        requested_by=membership,
    )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=document,
        beneficiary=parcours.beneficiary,
    )
    enqueue_render(document_id=document.pk, operator_id=document.operator_id)
    return document


@transaction.atomic
def retry_synthesis(*, membership: Membership, document: SynthesisDocument) -> SynthesisDocument:
    document = SynthesisDocument.objects.select_for_update().get(pk=document.pk)
    if document.status != SynthesisDocument.Status.FAILED:
        raise ValidationError({"document": "Seule une synthèse en échec peut être relancée."})
    document.status = SynthesisDocument.Status.QUEUED
    document.error = ""
    document.last_activity_at = timezone.now()
    document.save(update_fields=["status", "error", "last_activity_at"])
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=document,
        beneficiary=document.parcours.beneficiary,
        details={"relance": True},
    )
    enqueue_render(document_id=document.pk, operator_id=document.operator_id)
    return document


@transaction.atomic
def start_rendering(*, document_id: int) -> SynthesisDocument | None:
    """Mark the document as rendering; None when there is nothing to do (already ready, or
    failed and not asked again)."""
    document = SynthesisDocument.objects.select_for_update().get(pk=document_id)
    if not document.is_pending:
        return None
    document.status = SynthesisDocument.Status.RENDERING
    document.attempts += 1
    document.last_activity_at = timezone.now()
    document.save(update_fields=["status", "attempts", "last_activity_at"])
    return document


@transaction.atomic
def store_pdf(*, document_id: int, content: bytes, page_count: int) -> SynthesisDocument:
    document = SynthesisDocument.objects.select_for_update().get(pk=document_id)
    if not document.is_pending:
        return document  # another run got there first: its file is the one
    name = document_path(document, "")
    storage = document.file.storage
    if storage.exists(name):
        # Left by a run killed between writing the file and committing: replace it.
        storage.delete(name)
    document.file.save(name, ContentFile(content), save=False)
    document.sha256 = hashlib.sha256(content).hexdigest()
    document.size = len(content)
    document.page_count = page_count
    document.status = SynthesisDocument.Status.READY
    document.ready_at = timezone.now()
    document.error = ""
    document.save()
    return document


@transaction.atomic
def mark_failed(*, document_id: int, reason: str) -> SynthesisDocument:
    document = SynthesisDocument.objects.select_for_update().get(pk=document_id)
    if document.is_pending:
        document.status = SynthesisDocument.Status.FAILED
        document.error = reason[:2000]
        document.last_activity_at = timezone.now()
        document.save(update_fields=["status", "error", "last_activity_at"])
    return document


def render_synthesis(*, document_id: int) -> SynthesisDocument | None:
    """Render one version to PDF and store it. Not one transaction, on purpose (see above);
    errors propagate so the task can tell a transient failure from a lasting one."""
    document = start_rendering(document_id=document_id)
    if document is None:
        return None
    pdf = html_to_pdf(render_html(selectors.document_for_render(document_id)))
    return store_pdf(document_id=document_id, content=pdf.content, page_count=pdf.page_count)


@transaction.atomic
def sweep_stuck_documents() -> list[int]:
    """Enqueue again the documents that have not moved for too long: a message the broker lost,
    a worker that died before the broker gave the message to another one."""
    now = timezone.now()
    deadline = now - timedelta(seconds=settings.SYNTHESIS_STUCK_AFTER_SECONDS)
    # A platform job, across operators: it reads ids only and each render re-enters its scope.
    with scopes_disabled():
        stuck = list(
            SynthesisDocument.objects.select_for_update(skip_locked=True)
            .filter(status__in=SynthesisDocument.PENDING, last_activity_at__lt=deadline)
            .order_by("pk")
            .values_list("pk", "operator_id")
        )
        SynthesisDocument.objects.filter(pk__in=[pk for pk, _ in stuck]).update(
            last_activity_at=now
        )
    for pk, operator_id in stuck:
        enqueue_render(document_id=pk, operator_id=operator_id)
    if stuck:
        logger.warning("re-enqueued %d stuck synthesis documents", len(stuck))
    return [pk for pk, _ in stuck]


def _check_email_delivery(document: SynthesisDocument) -> None:
    if not document.is_ready:
        raise ValidationError({"document": "La synthèse n'est pas encore prête."})
    if not document.parcours.beneficiary.email:
        raise ValidationError(
            {"document": "La personne n'a pas d'adresse électronique dans son dossier."}
        )
    if not selectors.has_email_consent(document.parcours.beneficiary):
        raise ValidationError(
            {
                "document": "La personne n'a pas accepté de recevoir sa synthèse par courriel : "
                "remettez-la lui imprimée ou depuis son espace."
            }
        )


@transaction.atomic
def send_synthesis_link(
    *, membership: Membership, document: SynthesisDocument, ip_address: str | None = None
) -> SynthesisDocument:
    """E-mail the person a signed, expiring link to this version."""
    document = SynthesisDocument.objects.select_related("parcours__beneficiary").get(pk=document.pk)
    _check_email_delivery(document)
    log_event(
        membership=membership,
        action=AuditEvent.Action.EXPORT,
        obj=document,
        beneficiary=document.parcours.beneficiary,
        ip_address=ip_address,
        details={"canal": "courriel"},
    )
    enqueue(
        "synthese.tasks.email_synthesis_link",
        operator_id=document.operator_id,
        document_id=document.pk,
    )
    return document


def deliver_synthesis_link(*, document_id: int) -> bool:
    """Send the e-mail, if the person still consents now: a withdrawal takes effect at once."""
    document = SynthesisDocument.objects.select_related("parcours__beneficiary", "operator").get(
        pk=document_id
    )
    try:
        _check_email_delivery(document)
    except ValidationError:
        logger.info("synthesis %s: link not sent, consent or address missing", document_id)
        return False
    beneficiary = document.parcours.beneficiary
    context = {
        "beneficiary": beneficiary,
        "document": document,
        "operator": document.operator,
        "url": absolute_url(links.download_path(document)),
        "valid_days": settings.SYNTHESIS_LINK_MAX_AGE_SECONDS // 86400,
    }
    mail.send_mail(
        subject=f"Votre document de synthèse — {document.operator.name}",
        message=render_to_string("synthese/email_link.txt", context),
        from_email=None,
        recipient_list=[beneficiary.email],
    )
    return True


@transaction.atomic
def record_download(
    *,
    document: SynthesisDocument,
    membership: Membership | None,
    ip_address: str | None,
    channel: str,
) -> None:
    """Every download of a synthèse is traced, by staff or by the person through a link."""
    log_event(
        membership=membership,
        operator_id=document.operator_id,
        action=AuditEvent.Action.DOWNLOAD,
        obj=document,
        beneficiary=document.parcours.beneficiary,
        ip_address=ip_address,
        details={"canal": channel},
    )
