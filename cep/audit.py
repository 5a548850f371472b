"""Writing the audit trail: who read, changed, exported or downloaded which personal record.

The database keeps it append-only and chained by hash per operator; `verify_chain` recomputes
the chain (`manage.py verify_audit_chain`)."""

from dataclasses import dataclass

from django.db import connection, models

from cep.models import AuditEvent, Beneficiary, Membership


def log_event(
    *,
    membership: Membership | None,
    action: str,
    obj: models.Model,
    beneficiary: Beneficiary | None = None,
    ip_address: str | None = None,
    details: dict | None = None,
    operator_id: int | None = None,
) -> AuditEvent:
    """`membership` is the staff member acting. Without one (the person themself through a signed
    link, a background job), `operator_id` names the operator whose trail records it."""
    if membership is None and operator_id is None:
        raise ValueError("an audit event needs a membership or an operator")
    return AuditEvent.objects.create(
        operator_id=membership.operator_id if membership else operator_id,
        user_id=membership.user_id if membership else None,
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


def verify_chain() -> tuple[int, list[ChainFault]]:
    """Recompute every operator's chain: an event whose content no longer gives its hash, whose
    link to the previous one is broken, or that follows a missing one. Returns the number of
    events read and the faults."""
    faults: list[ChainFault] = []
    read = 0
    with connection.cursor() as cursor:
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
