"""Celery tasks of the retention of files."""

from celery import shared_task


@shared_task(acks_late=True)
def apply_retention() -> int:
    from cep.managers import services

    return services.apply_retention()
