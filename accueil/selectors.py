from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accueil.models import (
    InformationDelivery,
    InformationSession,
    IntakeRequest,
    Routing,
    RoutingRule,
    RoutingStatusChange,
    SessionRegistration,
    Structure,
)
from accueil.routing import PersonFacts, first_matching_rule
from cep.continuity.models import TransferStatusChange
from cep.models import Beneficiary, Membership, Service, normalize_for_search

SEARCH_RESULTS = 20


def active_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(is_active=True).select_related("target"))


def routing_suggestion(*, facts: PersonFacts, on: date | None = None) -> RoutingRule | None:
    """The operator's first active rule matching the person, with its target structure."""
    return first_matching_rule(active_rules(), facts, on or timezone.localdate())


def active_structures() -> QuerySet[Structure]:
    return Structure.objects.filter(is_active=True)


def requests_of_day(*, membership: Membership, day: date) -> list[IntakeRequest]:
    return list(
        IntakeRequest.objects.filter(received_on=day)
        .select_related("parcours__beneficiary", "received_by__user", "suggested_structure")
        .order_by("created_at", "pk")
    )


def intake_request_page(*, membership: Membership, pk: int) -> IntakeRequest:
    """A request with everything its page shows, in a fixed number of queries."""
    services = (
        Service.objects.filter(level=1)
        .select_related("counsellor__user", "information")
        .order_by("-delivered_on", "-pk")
    )
    routings = Routing.objects.select_related(
        "target", "created_by__user", "transfer"
    ).prefetch_related(
        Prefetch(
            "history", queryset=RoutingStatusChange.objects.select_related("changed_by__user")
        ),
        Prefetch(
            "transfer__history",
            queryset=TransferStatusChange.objects.select_related("changed_by__user"),
        ),
    )
    return get_object_or_404(
        IntakeRequest.objects.select_related(
            "parcours__beneficiary",
            "parcours__referent__user",
            "received_by__user",
            "suggested_structure",
        ).prefetch_related(
            Prefetch("parcours__services", queryset=services),
            Prefetch("parcours__routings", queryset=routings.order_by("created_at", "pk")),
        ),
        pk=pk,
    )


def sessions_calendar(
    *, membership: Membership, since: datetime | None = None
) -> list[InformationSession]:
    """Sessions from a week ago on, with their number of registrations and their day in Paris
    (a 00:30 session belongs to its own day, not to the UTC one before)."""
    since = since or timezone.now() - timedelta(days=7)
    sessions = list(
        InformationSession.objects.filter(starts_at__gte=since)
        .select_related("site", "animator__user")
        .annotate(registered=Count("registrations"))
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        session.local_day = timezone.localtime(session.starts_at).date()
    return sessions


def session_page(*, membership: Membership, pk: int) -> InformationSession:
    registrations = SessionRegistration.objects.select_related("beneficiary").order_by(
        "beneficiary__search_name", "pk"
    )
    return get_object_or_404(
        InformationSession.objects.select_related("site", "animator__user").prefetch_related(
            Prefetch("registrations", queryset=registrations)
        ),
        pk=pk,
    )


def beneficiaries_to_register(*, session: InformationSession, search: str) -> list[Beneficiary]:
    """People of the operator matching a name, not yet registered to the session."""
    if not search.strip():
        return []
    return list(
        Beneficiary.objects.filter(search_name__contains=normalize_for_search(search))
        .exclude(Q(pk__in=session.registrations.values("beneficiary_id")))
        .order_by("search_name", "pk")[:SEARCH_RESULTS]
    )


def information_of(service: Service) -> InformationDelivery | None:
    return getattr(service, "information", None)
