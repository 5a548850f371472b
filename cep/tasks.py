"""Celery tasks of the core: thin wrappers around services."""

from celery import shared_task


@shared_task(acks_late=True)
def expire_transfers() -> int:
    from cep import services

    return services.expire_transfers()


@shared_task(acks_late=True)
def purge_old_audit_events() -> int:
    from cep import services

    return services.purge_old_audit_events()


@shared_task(acks_late=True)
def apply_retention() -> int:
    from cep import services

    return services.apply_retention()
