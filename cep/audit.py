"""Writing the audit trail: who read, changed, exported or downloaded which personal record."""

from django.db import models

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
