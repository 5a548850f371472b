"""Celery tasks of the continuity of support."""

from celery import shared_task


@shared_task(acks_late=True)
def expire_transfers() -> int:
    from cep.continuity import services

    return services.expire_transfers()
