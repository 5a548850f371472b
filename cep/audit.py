"""Writing the audit trail: who read, changed, exported or downloaded which personal record.

The database keeps it append-only and chained by hash per operator; `verify_chain` recomputes
the chain (`manage.py verify_audit_chain`)."""

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models
from django.http import HttpRequest
from django.urls import ResolverMatch
from django_scopes import scopes_disabled

from cep.http import MemberRequest
from cep.models import AuditEvent, Beneficiary, Membership, Parcours

# Events written while a staff request runs: a page that wrote none about the object it shows
# gets a generic READ (cep.middleware), so every page of a person's records leaves a trace.
events_in_request: ContextVar[list | None] = ContextVar("events_in_request", default=None)


def log_event(
    *,
    membership: Membership | None,
    action: str,
    obj: models.Model,
    beneficiary: Beneficiary | None = None,
    ip_address: str | None = None,
    details: dict | None = None,
    operator_id: int | None = None,
    user: AbstractBaseUser | None = None,
) -> AuditEvent:
    """`membership` is the staff member acting. Without one (the person themself through a signed
    link, a background job), `operator_id` names the operator whose trail records it, and
    `user` the platform staff account acting, if any (the admin)."""
    trail_operator_id = membership.operator_id if membership else operator_id
    if trail_operator_id is None:
        raise ValueError("an audit event needs a membership or an operator")
    if (written := events_in_request.get()) is not None:
        written.append(action)
    return AuditEvent.objects.create(
        operator_id=trail_operator_id,
        user_id=membership.user_id if membership else (user.pk if user else None),
        membership=membership,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        beneficiary=beneficiary,
        ip_address=ip_address,
        details=details or {},
    )


# The chain is written by the database (cep/migrations/0008_audit_chain.py); this recomputes it.
VERIFY_SQL = """
SELECT e.operator_id, e.id, e.chain_index,
    e.hash <> cep_audit_digest(e) AS altered,
    e.previous_hash <> coalesce(lag(e.hash) OVER w, c.last_hash, '') AS unlinked,
    e.chain_index <> coalesce(lag(e.chain_index) OVER w, c.up_to_index, 0) + 1 AS missing_before
FROM cep_auditevent e
LEFT JOIN cep_auditcheckpoint c ON c.operator_id = e.operator_id
WINDOW w AS (PARTITION BY e.operator_id ORDER BY e.chain_index)
ORDER BY e.operator_id, e.chain_index
"""


@dataclass(frozen=True)
class ChainFault:
    operator_id: int
    event_id: int
    chain_index: int
    reason: str


def log_parcours_event(
    membership: Membership,
    obj: models.Model,
    parcours: Parcours,
    action: str = AuditEvent.Action.UPDATE,
) -> AuditEvent:
    """A staff member's act on a record of a parcours: the trail names the person it concerns."""
    return log_event(
        membership=membership, action=action, obj=obj, beneficiary=parcours.beneficiary
    )


def verify_chain() -> tuple[int, list[ChainFault]]:
    """Recompute every operator's chain: an event whose content no longer gives its hash, whose
    link to the previous one is broken, or that follows a missing one. Returns the number of
    events read and the faults."""
    faults: list[ChainFault] = []
    read = 0
    # Every operator's chain: a platform check, across operators in the database too (cep.rls).
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(VERIFY_SQL)
        for operator_id, event_id, index, altered, unlinked, missing in cursor.fetchall():
            read += 1
            for flag, reason in (
                (altered, "contenu modifié"),
                (unlinked, "lien avec l'événement précédent rompu"),
                (missing, "événement précédent manquant"),
            ):
                if flag:
                    faults.append(ChainFault(operator_id, event_id, index, reason))
    return read, faults


# How an object of the project reaches the person it is about, from the most direct.
PERSON_LOOKUPS = (
    "beneficiary",
    "parcours__beneficiary",
    "plan__parcours__beneficiary",
    "version__plan__parcours__beneficiary",
)


# A page's tenant object: its model, its id in the URL, and the id of the person it is about.
PageObject = tuple[type[models.Model], int | str, int | str | None]


def view_model(match: ResolverMatch) -> type[models.Model] | None:
    """The model of an API view (its queryset's), for a URL naming a bare ``pk``."""
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    queryset = getattr(view_class, "queryset", None)
    return queryset.model if queryset is not None else None


@cache
def models_named(model_name: str) -> tuple[type[models.Model], ...]:
    """Read on every page naming a record: the registry is walked once per name."""
    from django.apps import apps

    return tuple(m for m in apps.get_models() if m._meta.model_name == model_name)


def object_of_page(match: ResolverMatch) -> PageObject | None:
    """The tenant object a page names in its URL (``<model>_pk``, or ``pk`` on an API view),
    with the id of the person it is about (None for a staff member's page), or None."""
    from django.core.exceptions import FieldDoesNotExist

    candidates: Sequence[type[models.Model] | None]
    for name, value in match.kwargs.items():
        if name == "pk":
            candidates = [view_model(match)]
        elif name.endswith("_pk"):
            candidates = models_named(name.removesuffix("_pk").replace("_", ""))
        else:
            continue
        for model in candidates:
            if model is None or not any(f.name == "operator" for f in model._meta.fields):
                continue
            if model._meta.model_name == "beneficiary":
                return model, value, value
            # Every tenant model names its ScopedManager `objects`; the stubs' Model has none.
            rows = model.objects.filter(pk=value)  # type: ignore[attr-defined]
            for lookup in PERSON_LOOKUPS:
                try:
                    model._meta.get_field(lookup.split("__")[0])
                except FieldDoesNotExist:
                    continue
                return model, value, rows.values_list(f"{lookup}_id", flat=True).first()
            return model, value, None
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the trail records for a request (the proxy in front sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR")


def _record_read(
    request: MemberRequest,
    *,
    object_type: str,
    object_id: str,
    beneficiary_id: int | str | None,
    page: str,
) -> None:
    if (written := events_in_request.get()) is not None:
        written.append(AuditEvent.Action.READ)  # so nothing reads the same page twice
    AuditEvent.objects.create(
        operator_id=request.membership.operator_id,
        user_id=request.membership.user_id,
        membership=request.membership,
        action=AuditEvent.Action.READ,
        object_type=object_type,
        object_id=object_id,
        beneficiary_id=beneficiary_id,
        ip_address=client_ip(request),
        details={"page": page},
    )


def record_page_read(request: MemberRequest, found: PageObject) -> None:
    model, pk, beneficiary_id = found
    _record_read(
        request,
        object_type=model._meta.label_lower,
        object_id=str(pk),
        beneficiary_id=beneficiary_id,
        page=request.path,
    )


def record_page_view(request: MemberRequest, match: ResolverMatch) -> None:
    """A page that names no record but may show several (a caseload, a search, a follow-up
    list, an API list): who opened it, and with which filters (a search names a person)."""
    _record_read(
        request,
        object_type="page",
        object_id=(match.view_name or request.path)[:64],
        beneficiary_id=None,
        page=request.get_full_path()[:500],
    )
