"""Reads of the core: every function runs inside the active operator scope, except the
receiving side of a transfer, which reads another operator's row through its object permission."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
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
from cep.registries import next_due_expressions

CASELOAD_PAGE_SIZE = 50


def beneficiaries_visible_to(membership: Membership) -> QuerySet[Beneficiary]:
    """Every counsellor of an operator may open its beneficiaries (absences, shared sites);
    the scope already limits rows to the membership's operator."""
    return Beneficiary.objects.all()


def parcours_visible_to(membership: Membership) -> QuerySet[Parcours]:
    return Parcours.objects.all()


def services_visible_to(membership: Membership) -> QuerySet[Service]:
    return Service.objects.all()


# The caseload's sorts: URL value -> (expression, label). NULLs sort last either way (a
# sentinel date), so the keyset stays a plain comparison.
NO_DATE_LOW = date(1, 1, 1)
NO_DATE_HIGH = date(9999, 12, 31)
CASELOAD_SORTS = {
    "ouverture": "Date d'ouverture",
    "nom": "Nom",
    "niveau": "Niveau",
    "contact": "Dernier contact",
    "echeance": "Prochaine échéance",
}
DEFAULT_CASELOAD_SORT = "-ouverture"
CASELOAD_ALERTS = {"sans-activite": "Sans activité", "en-retard": "En retard"}
ALERT_FIELDS = {"sans-activite": "is_stale", "en-retard": "is_late"}


def parse_sort(raw: str | None) -> str:
    """A sort of the URL ("nom", "-contact"...); anything else is the default."""
    if raw and raw.lstrip("-") in CASELOAD_SORTS and raw.count("-") <= 1:
        return raw
    return DEFAULT_CASELOAD_SORT


def _sort_key(sort: str) -> tuple[Any, bool]:
    """(expression on the annotated caseload, descending?)."""
    name, descending = sort.lstrip("-"), sort.startswith("-")
    expression: Any
    if name == "nom":
        expression = F("beneficiary__search_name")
    elif name == "niveau":
        expression = F("current_level")
    elif name == "contact":
        expression = Coalesce("last_contact_on", Value(NO_DATE_LOW if descending else NO_DATE_HIGH))
    elif name == "echeance":
        expression = Coalesce("next_due", Value(NO_DATE_LOW if descending else NO_DATE_HIGH))
    else:
        expression = F("opened_on")
    return expression, descending


@dataclass(frozen=True)
class CaseloadCursor:
    """Keyset position: the value of the sort key of the last row shown, then its id."""

    value: str
    pk: int

    def encode(self) -> str:
        return f"{self.value}_{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> "CaseloadCursor | None":
        """A malformed cursor (edited by hand, truncated) simply restarts at the first page."""
        if not raw:
            return None
        value, _, pk = raw.rpartition("_")
        try:
            return cls(value=value, pk=int(pk))
        except ValueError:
            return None

    def typed_value(self, sort: str) -> object:
        """The value as the sort key compares it; ValueError when it is not of that kind."""
        name = sort.lstrip("-")
        if name == "nom":
            return self.value
        if name == "niveau":
            return int(self.value)
        return date.fromisoformat(self.value)


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[Parcours]
    next_cursor: CaseloadCursor | None


def stale_filter(today: date) -> Q:
    """Open parcours without any service for STALE_PARCOURS_DAYS (or never, opened that long
    ago): "sans activité"."""
    cutoff = date.fromordinal(today.toordinal() - settings.STALE_PARCOURS_DAYS)
    return Q(closed_on__isnull=True) & (
        Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, opened_on__lt=cutoff)
    )


def with_next_action(rows: QuerySet[Parcours], today: date) -> QuerySet[Parcours]:
    """The caseload's computed columns: the next due date and the two alerts."""
    due, label = next_due_expressions(today)
    return rows.annotate(next_due=due, next_action_label=label).annotate(
        is_stale=ExpressionWrapper(stale_filter(today), output_field=BooleanField()),
        is_late=ExpressionWrapper(
            Q(closed_on__isnull=True, next_due__lt=today), output_field=BooleanField()
        ),
    )


def caseload(
    *,
    membership: Membership,
    today: date,
    search: str = "",
    level: int | None = None,
    state: str = "open",
    alert: str = "",
    sort: str = DEFAULT_CASELOAD_SORT,
    after: CaseloadCursor | None = None,
    page_size: int = CASELOAD_PAGE_SIZE,
) -> CaseloadPage:
    """The parcours a counsellor follows, one row each, with its beneficiary, its next due
    action and its alerts; with `state` "co", the open parcours they follow as co-référent,
    with their référent. One query, whatever the sort and the page."""
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
    rows = with_next_action(rows, today)
    if alert in CASELOAD_ALERTS:
        rows = rows.filter(**{ALERT_FIELDS[alert]: True})
    expression, descending = _sort_key(sort)
    rows = rows.annotate(sort_key=expression)
    if after is not None:
        try:
            value = after.typed_value(sort)
        except ValueError:
            value = None
        if value is not None:
            if descending:
                rows = rows.filter(Q(sort_key__lt=value) | Q(sort_key=value, pk__lt=after.pk))
            else:
                rows = rows.filter(Q(sort_key__gt=value) | Q(sort_key=value, pk__gt=after.pk))
    order = ("-sort_key", "-pk") if descending else ("sort_key", "pk")
    found: list[Any] = list(rows.order_by(*order)[: page_size + 1])
    next_cursor = None
    if len(found) > page_size:
        found = found[:page_size]
        last = found[-1]
        key = last.sort_key
        next_cursor = CaseloadCursor(
            value=key.isoformat() if isinstance(key, date) else str(key), pk=last.pk
        )
    return CaseloadPage(rows=found, next_cursor=next_cursor)


def caseload_alert_counts(*, membership: Membership, today: date, only: str) -> int:
    """How many of this counsellor's open parcours are "sans activité" or "en retard" (`only`):
    one query."""
    rows = with_next_action(Parcours.objects.open().filter(referent=membership), today)
    return rows.filter(**{ALERT_FIELDS[only]: True}).count()


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
