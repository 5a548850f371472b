"""Celery tasks of the synthèse: thin wrappers around services, in the operator's scope
(cep.background). Late acknowledgement and rejection on worker loss: a worker killed mid-render
leaves the message to another worker, and the render is idempotent."""

import logging
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from cep.background import OperatorTask
from synthese import services

logger = logging.getLogger(__name__)

# Worth another try later: the database or the network hiccuped. Anything else is a lasting
# failure, shown to the counsellor with its reason.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 5


def describe(error: BaseException) -> str:
    return f"{type(error).__name__} : {error}" if str(error) else type(error).__name__


@shared_task(
    base=OperatorTask,
    name="synthese.tasks.render_synthesis",
    bind=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.SYNTHESIS_RENDER_TIME_LIMIT_SECONDS,
    time_limit=settings.SYNTHESIS_RENDER_TIME_LIMIT_SECONDS + 15,
)
def render_synthesis(self, *, document_id: int, operator_id: int) -> int | None:
    try:
        document = services.render_synthesis(document_id=document_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            services.mark_failed(
                document_id=document_id,
                reason=f"Échec après {MAX_RETRIES + 1} tentatives. {describe(error)}",
            )
            return None
        raise  # autoretry, with backoff
    except SoftTimeLimitExceeded:
        services.mark_failed(
            document_id=document_id,
            reason="Le rendu a dépassé le temps maximal "
            f"({settings.SYNTHESIS_RENDER_TIME_LIMIT_SECONDS} secondes).",
        )
        return None
    except Exception as error:
        logger.exception("synthesis %s failed", document_id)
        services.mark_failed(
            document_id=document_id, reason=f"Le rendu a échoué. {describe(error)}"
        )
        return None
    return document.pk if document else None


@shared_task(acks_late=True)
def sweep_stuck_documents() -> list[int]:
    return services.sweep_stuck_documents()


@shared_task(
    base=OperatorTask,
    name="synthese.tasks.email_synthesis_link",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def email_synthesis_link(*, document_id: int, operator_id: int) -> bool:
    return services.deliver_synthesis_link(document_id=document_id)
