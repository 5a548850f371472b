"""Celery tasks of level 1: thin wrappers around services."""

from smtplib import SMTPException

from celery import shared_task

from accueil import services
from cep.background import OperatorTask


@shared_task(
    base=OperatorTask,
    name="accueil.tasks.notify_session_cancelled",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def notify_session_cancelled(*, session_id: int, operator_id: int) -> int:
    return services.notify_session_cancelled(session_id=session_id)


@shared_task(acks_late=True)
def resend_lost_cancellations() -> list[int]:
    return services.resend_lost_cancellations()
