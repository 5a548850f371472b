"""Celery tasks of the kernel: thin wrappers around services."""

from celery import shared_task


@shared_task(acks_late=True)
def purge_old_audit_events() -> int:
    from cep import services

    return services.purge_old_audit_events()
