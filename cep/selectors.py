"""Reads of the core: every function runs inside the active operator scope, except the
receiving side of a transfer, which reads another operator's row through its object permission."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cep.models import (
    AuditEvent,
    Beneficiary,
    Membership,
    Parcours,
    ParcoursUserPermission,
    ReferentAssignment,
    Service,
    normalize_for_search,
)

CASELOAD_PAGE_SIZE = 50


def beneficiaries_visible_to(membership: Membership) -> QuerySet[Beneficiary]:
    """Every counsellor of an operator may open its beneficiaries (absences, shared sites);
    the scope already limits rows to the membership's operator."""
    return Beneficiary.objects.all()


def parcours_visible_to(membership: Membership) -> QuerySet[Parcours]:
    return Parcours.objects.all()


def services_visible_to(membership: Membership) -> QuerySet[Service]:
    return Service.objects.all()


@dataclass(frozen=True)
class CaseloadCursor:
    """Keyset position: the caseload is ordered by opening date then id, newest first."""

    opened_on: date
    pk: int

    def encode(self) -> str:
        return f"{self.opened_on.isoformat()}_{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> "CaseloadCursor | None":
        """A malformed cursor (edited by hand, truncated) simply restarts at the first page."""
        if not raw:
            return None
        day, _, pk = raw.partition("_")
        try:
            return cls(opened_on=date.fromisoformat(day), pk=int(pk))
        except ValueError:
            return None


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[Parcours]
    next_cursor: CaseloadCursor | None


def caseload(
    *,
    membership: Membership,
    search: str = "",
    level: int | None = None,
    state: str = "open",
    after: CaseloadCursor | None = None,
    page_size: int = CASELOAD_PAGE_SIZE,
) -> CaseloadPage:
    """The parcours a counsellor follows, one row each, with its beneficiary; with `state`
    "co", the open parcours they follow as co-référent, with their référent."""
    if state == "co":
        rows = (
            Parcours.objects.open()
            .filter(pk__in=co_followed_ids(membership))
            .select_related("beneficiary", "referent__user")
        )
    else:
        rows = Parcours.objects.filter(referent=membership).select_related("beneficiary")
    if state == "open":
        rows = rows.open()
    elif state == "closed":
        rows = rows.closed()
    if level:
        rows = rows.filter(current_level=level)
    if search.strip():
        rows = rows.filter(beneficiary__search_name__contains=normalize_for_search(search))
    if after is not None:
        rows = rows.filter(
            Q(opened_on__lt=after.opened_on) | Q(opened_on=after.opened_on, pk__lt=after.pk)
        )
    found = list(rows.order_by("-opened_on", "-pk")[: page_size + 1])
    next_cursor = None
    if len(found) > page_size:
        found = found[:page_size]
        last = found[-1]
        next_cursor = CaseloadCursor(opened_on=last.opened_on, pk=last.pk)
    return CaseloadPage(rows=found, next_cursor=next_cursor)


def co_followed_ids(membership: Membership) -> QuerySet:
    """The ids of the parcours this counsellor follows as co-référent (object permission)."""
    return ParcoursUserPermission.objects.filter(
        user_id=membership.user_id, permission__codename="co_follow_parcours"
    ).values("content_object_id")


def beneficiary_file(*, membership: Membership, pk: int) -> Beneficiary:
    """A beneficiary with the whole timeline of their parcours, in a fixed number of queries."""
    parcours = Parcours.objects.select_related("referent__user").prefetch_related(
        Prefetch(
            "services",
            queryset=Service.objects.select_related("counsellor__user").order_by(
                "-delivered_on", "-pk"
            ),
        ),
        Prefetch(
            "referent_assignments",
            queryset=ReferentAssignment.objects.select_related("referent__user").order_by(
                "assigned_at", "pk"
            ),
        ),
    )
    return get_object_or_404(
        beneficiaries_visible_to(membership).prefetch_related(
            Prefetch("parcours", queryset=parcours.order_by("-opened_on", "-pk"))
        ),
        pk=pk,
    )


def open_parcours_of(beneficiary: Beneficiary) -> Parcours | None:
    """From the prefetched list when there is one, so the page adds no query."""
    return next((p for p in beneficiary.parcours.all() if p.is_open), None)


def access_log(beneficiary: Beneficiary, limit: int = 200) -> list[AuditEvent]:
    """Who read, changed, exported or downloaded this person's records, newest first; with
    those of the files merged into this one (the trail is append-only: its events keep the
    tombstone's id, cep.duplicates)."""
    files = Beneficiary.objects.filter(Q(pk=beneficiary.pk) | Q(merged_into=beneficiary.pk))
    return list(
        AuditEvent.objects.filter(beneficiary__in=files.values("pk"))
        .select_related("membership__user", "membership__operator")
        .order_by("-at", "-pk")[:limit]
    )
