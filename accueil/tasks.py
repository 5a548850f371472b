"""Celery tasks of level 1: thin wrappers that re-enter the operator's scope and call a service."""

from smtplib import SMTPException

from celery import shared_task
from django_scopes import scope


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def notify_session_cancelled(*, session_id: int, operator_id: int) -> int:
    from accueil.services import notify_session_cancelled as notify

    with scope(operator=operator_id):
        return notify(session_id=session_id)


@shared_task(acks_late=True)
def resend_lost_cancellations() -> list[int]:
    from accueil.services import resend_lost_cancellations as resend

    return resend()
