"""Celery tasks of the indicators: thin wrappers around services."""

from celery import shared_task


@shared_task(acks_late=True)
def send_due_surveys() -> int:
    from indicateurs import services

    return services.send_due_surveys()


@shared_task(acks_late=True)
def rebuild_recent_snapshots() -> int:
    from indicateurs import services

    return len(services.rebuild_recent_snapshots())
