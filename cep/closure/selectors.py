"""Reads of the end of a parcours: its history, the operator's sub-reasons, and the open
parcours without news (the alert that proposes the end "no news")."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from cep.closure.models import ParcoursEvent, SubReason
from cep.models import Membership, Parcours


def history_of(parcours: Parcours) -> QuerySet[ParcoursEvent]:
    return ParcoursEvent.objects.filter(parcours=parcours).select_related("sub_reason", "by__user")


def offered_sub_reasons() -> QuerySet[SubReason]:
    """The active sub-reasons of the operator in scope."""
    return SubReason.objects.filter(active=True).order_by("national_reason", "label", "pk")


def without_news(membership: Membership, *, today: date | None = None) -> QuerySet[Parcours]:
    """The counsellor's open parcours without any contact for NO_NEWS_ALERT_DAYS (the last
    contact, or the opening when there was none): "no news" is proposed, never applied."""
    since = (today or timezone.localdate()) - timedelta(days=settings.NO_NEWS_ALERT_DAYS)
    return (
        Parcours.objects.open()
        .filter(referent=membership)
        .annotate(last_news=Coalesce("last_contact_on", "opened_on"))
        .filter(last_news__lt=since)
        .select_related("beneficiary")
        .order_by("last_news", "pk")
    )
