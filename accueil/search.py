"""Level 1's groups of the header search (cep.search): the requests of the persons found, and
the collective information sessions they are registered in or whose theme matches. One query
each, whatever the number of rows."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accueil.models import InformationSession, IntakeRequest
from cep.search.registry import Hit, SearchGroup, SearchQuery, register_search_group


def find_requests(membership, query: SearchQuery, beneficiary_ids: list[int], limit: int):
    if not beneficiary_ids:
        return []
    rows = (
        IntakeRequest.objects.filter(parcours__beneficiary_id__in=beneficiary_ids)
        .select_related("parcours__beneficiary")
        .order_by("-received_on", "-pk")[:limit]
    )
    return [
        Hit(
            label=f"{request} — {request.parcours.beneficiary.full_name}",
            detail=request.get_outcome_display() if request.outcome else "Demande à traiter",
            url=reverse("accueil:request_detail", args=[request.pk]),
        )
        for request in rows
    ]


def find_sessions(membership, query: SearchQuery, beneficiary_ids: list[int], limit: int):
    condition = Q(pk__in=[])
    if beneficiary_ids:
        condition |= Q(registrations__beneficiary_id__in=beneficiary_ids)
    if query.name:
        condition |= Q(theme__icontains=query.text)
    if condition == Q(pk__in=[]):
        return []
    rows = (
        InformationSession.objects.filter(condition)
        .distinct()
        .order_by("-starts_at", "-pk")[:limit]
    )
    return [
        Hit(
            label=session.theme,
            detail=f"Le {timezone.localtime(session.starts_at):%d/%m/%Y à %H:%M}"
            + (" — annulée" if session.cancelled_at else ""),
            url=reverse("accueil:session_detail", args=[session.pk]),
        )
        for session in rows
    ]


def register_search() -> None:
    register_search_group(SearchGroup("demandes", "Demandes", 20, find_requests))
    register_search_group(SearchGroup("sessions", "Sessions collectives", 30, find_sessions))
