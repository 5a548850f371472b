"""Writing the audit trail: who read, changed, exported or downloaded which personal record."""

from django.db import models

from cep.models import AuditEvent, Beneficiary, Membership


def log_event(
    *,
    membership: Membership,
    action: str,
    obj: models.Model,
    beneficiary: Beneficiary | None = None,
    ip_address: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        operator_id=membership.operator_id,
        user_id=membership.user_id,
        membership=membership,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        beneficiary=beneficiary,
        ip_address=ip_address,
        details=details or {},
    )
