"""Reads of the continuity of support: transfers sent and received, co-référents."""

from django.db.models import QuerySet
from django.http import Http404

from cep.continuity.models import Transfer
from cep.models import Membership, Operator, Parcours, ParcoursUserPermission
from cep.selectors import co_followed_ids


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


def pending_incoming_count(membership: Membership) -> int:
    """How many transfers wait for this manager's decision: one query."""
    return _reviewable_by(membership).count()


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
