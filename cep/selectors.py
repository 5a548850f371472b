"""Reads of the core: every function runs inside the active operator scope, except the
receiving side of a transfer, which reads another operator's row through its object permission."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404

from cep.models import (
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    BeneficiaryRequest,
    Invitation,
    Membership,
    Operator,
    Parcours,
    ParcoursUserPermission,
    ReferentAssignment,
    Service,
    Transfer,
    normalize_for_search,
)
from cep.space import retention_checks

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


def space_status(beneficiary: Beneficiary) -> dict:
    """The person's space as the counsellor sees it: account, last invitation, their requests."""
    return {
        "account": BeneficiaryAccount.objects.filter(beneficiary=beneficiary).first(),
        "invitation": Invitation.objects.filter(beneficiary=beneficiary)
        .order_by("-created_at", "-pk")
        .first(),
        "requests": list(
            BeneficiaryRequest.objects.filter(beneficiary=beneficiary)
            .select_related("handled_by__user")
            .order_by("handled_at", "-created_at")[:20]
        ),
    }


# --- Transfers and co-référents


def transfers_of(parcours: Parcours) -> QuerySet[Transfer]:
    """The sending side: every transfer of a parcours, with its history."""
    return (
        Transfer.objects.filter(parcours=parcours)
        .select_related("target_operator", "created_by__user")
        .prefetch_related("history__changed_by__user")
        .order_by("-created_at", "-pk")
    )


def _reviewable_by(membership: Membership) -> QuerySet[Transfer]:
    return Transfer.for_target.sent_to(membership.operator_id).filter(
        status=Transfer.Status.PENDING,
        transferuserpermission__user_id=membership.user_id,
        transferuserpermission__permission__codename="review_transfer",
    )


def incoming_transfers(membership: Membership) -> QuerySet[Transfer]:
    """Transfers waiting for this manager's operator: those they may read (object permission)."""
    return _reviewable_by(membership).select_related("operator").order_by("expires_at", "pk")


def incoming_transfer(membership: Membership, pk: int) -> Transfer:
    transfer = _reviewable_by(membership).select_related("operator").filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def decided_incoming(membership: Membership, limit: int = 50) -> list[dict]:
    """The receiving operator's record of what it decided or let expire: dates, origin and
    outcome only, nothing about the person (it no longer holds a right to read the transfer)."""
    labels = dict(Transfer.Status.choices)
    rows = list(
        Transfer.for_target.sent_to(membership.operator_id)
        .filter(
            status__in=[
                Transfer.Status.ACCEPTED,
                Transfer.Status.REFUSED,
                Transfer.Status.EXPIRED,
                Transfer.Status.CANCELLED,
            ],
            sent_at__isnull=False,
        )
        .order_by("-sent_at")
        .values("pk", "operator__name", "sent_at", "status", "decided_at", "received_parcours_id")[
            :limit
        ]
    )
    for row in rows:
        row["status_label"] = labels[row["status"]]
    return rows


def co_referents_of(parcours: Parcours) -> QuerySet[Membership]:
    users = ParcoursUserPermission.objects.filter(
        content_object=parcours, permission__codename="co_follow_parcours"
    ).values("user_id")
    return (
        Membership.objects.filter(user_id__in=users, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "pk")
    )


def co_followed_ids(membership: Membership) -> QuerySet:
    """The ids of the parcours this counsellor follows as co-référent (object permission)."""
    return ParcoursUserPermission.objects.filter(
        user_id=membership.user_id, permission__codename="co_follow_parcours"
    ).values("content_object_id")


def co_followed_parcours(membership: Membership) -> QuerySet[Parcours]:
    """Parcours this counsellor follows as co-référent."""
    return (
        Parcours.objects.open()
        .filter(pk__in=co_followed_ids(membership))
        .select_related("beneficiary", "referent__user")
        .order_by("beneficiary__last_name", "pk")
    )


def transfer_targets(membership: Membership) -> QuerySet[Operator]:
    """Operators of the platform, the directory shared on purpose, except one's own."""
    return Operator.objects.exclude(pk=membership.operator_id).order_by("region", "name")


def access_log(beneficiary: Beneficiary, limit: int = 200) -> list[AuditEvent]:
    """Who read, changed, exported or downloaded this person's records, newest first."""
    return list(
        AuditEvent.objects.filter(beneficiary=beneficiary)
        .select_related("membership__user", "membership__operator")
        .order_by("-at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class RetentionRow:
    beneficiary: Beneficiary
    last_contact: date
    kept_because: str  # empty: anonymised by the next nightly run


def retention_report(*, today: date) -> list[RetentionRow]:
    """The dry run of the retention job: the operator's files without contact for
    `FILE_RETENTION_DAYS`, no parcours open, not anonymised yet; each says whether a legal
    retention keeps it. One query, and one per registered check."""
    cutoff = today - timedelta(days=settings.FILE_RETENTION_DAYS)
    last_day = Greatest(
        Coalesce("parcours__last_contact_on", "parcours__opened_on"),
        Coalesce("parcours__closed_on", "parcours__opened_on"),
    )
    candidates = (
        Beneficiary.objects.filter(anonymised_at__isnull=True)
        .filter(~Exists(Parcours.objects.filter(beneficiary=OuterRef("pk"), closed_on=None)))
        .annotate(last_contact=Coalesce(Max(last_day), TruncDate("created_at")))
        .filter(last_contact__lt=cutoff)
        .order_by("last_contact", "pk")
    )
    rows = list(candidates)
    kept: dict[int, str] = {}
    if rows:
        ids = Beneficiary.objects.filter(pk__in=[b.pk for b in rows])
        for check in retention_checks():
            for pk, reason in check(ids).items():
                kept.setdefault(pk, reason)
    return [RetentionRow(b, b.last_contact, kept.get(b.pk, "")) for b in rows]
