"""Writes of the end of a parcours: end it (at any level), reopen it within the window, or open
a new parcours linked to an ended one past the window; the operator's sub-reasons."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cep import dates
from cep import services as core
from cep.audit import log_event
from cep.closure.models import ParcoursEvent, SubReason
from cep.models import AuditEvent, Membership, Parcours, Service
from cep.roles import REVIEW_CASELOAD, ROLE_PERMISSIONS
from cep.signals import parcours_closed, parcours_reopened

NOT_ALLOWED = "Seuls le référent du parcours et les managers peuvent y mettre fin ou le rouvrir."


def may_end(membership: Membership, parcours: Parcours) -> bool:
    """The référent of the parcours, or a manager of its operator."""
    return (
        parcours.referent_id == membership.pk
        or REVIEW_CASELOAD in ROLE_PERMISSIONS[membership.role]
    )


def reopen_deadline(parcours: Parcours) -> date | None:
    """The last day the ended parcours may be reopened."""
    if parcours.closed_on is None:
        return None
    return parcours.closed_on + timedelta(days=settings.PARCOURS_REOPEN_DAYS)


def can_reopen(parcours: Parcours, *, today: date | None = None) -> bool:
    """Within the window; a transferred parcours goes on at the operator that received it."""
    if parcours.closing_reason == Parcours.ClosingReason.TRANSFERRED:
        return False
    deadline = reopen_deadline(parcours)
    return deadline is not None and (today or timezone.localdate()) <= deadline


def _locked(parcours: Parcours) -> Parcours:
    return (
        Parcours.objects.select_for_update(of=("self",))
        .select_related("beneficiary")
        .get(pk=parcours.pk)
    )


def _check_end(
    parcours: Parcours,
    *,
    ended_on: date | None,
    channel: str,
    reason: str,
    sub_reason: SubReason | None,
    note: str,
    by_system: bool,
    today: date | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if ended_on is None:
        errors["ended_on"] = ["Indiquez la date de fin du parcours."]
    else:
        try:
            dates.check_recorded_act(
                "ended_on", ended_on, opened_on=parcours.opened_on, today=today
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    offered = set(Parcours.ClosingReason.values) - {Parcours.ClosingReason.TRANSFERRED}
    if reason == Parcours.ClosingReason.TRANSFERRED and not by_system:
        errors["reason"] = ["Le motif « transférée » est posé par le transfert lui-même."]
    elif reason not in offered and not by_system:
        errors["reason"] = ["Choisissez le motif de fin dans la liste."]
    if channel and channel not in Service.Channel.values:
        errors["channel"] = ["Choisissez la modalité dans la liste."]
    if sub_reason is not None and (
        sub_reason.national_reason != reason
        or sub_reason.operator_id != parcours.operator_id
        or not sub_reason.active
    ):
        errors["sub_reason"] = ["Ce sous-motif ne relève pas du motif choisi."]
    if reason == Parcours.ClosingReason.OTHER and not note.strip():
        errors["note"] = ["Précisez le motif de fin."]
    if len(note.strip()) > 300:
        errors["note"] = ["300 caractères au plus."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def end_parcours(
    *,
    membership: Membership | None,
    parcours: Parcours,
    ended_on: date | None,
    reason: str,
    channel: str = "",
    sub_reason: SubReason | None = None,
    note: str = "",
    by_system: bool = False,
    check_permission: bool = True,
    ip_address: str | None = None,
    today: date | None = None,
) -> Parcours:
    """End a parcours at whatever level it is: the date, the channel, the national reason (and
    the operator's sub-reason, or the text of "other"). Plans the follow-up surveys (through
    `parcours_closed`), tells the person in their space (the space reads the end) and keeps the
    end in the parcours' history. `by_system` is the transfer's own end (reason "transferred",
    never offered to a person). The level-1 decision, which any counsellor of the operator
    records, ends it without `check_permission`; the forms and the API ask for the channel."""
    parcours = _locked(parcours)
    if not parcours.is_open:
        raise ValidationError("Ce parcours est déjà terminé.")
    if (
        check_permission
        and not by_system
        and (membership is None or not may_end(membership, parcours))
    ):
        raise PermissionDenied(NOT_ALLOWED)
    _check_end(
        parcours,
        ended_on=ended_on,
        channel=channel,
        reason=reason,
        sub_reason=sub_reason,
        note=note,
        by_system=by_system,
        today=today,
    )
    assert ended_on is not None
    # The transfer ends the sending operator's parcours while a receiving manager acts.
    actor = membership if membership and membership.operator_id == parcours.operator_id else None
    parcours.closed_on = ended_on
    parcours.closing_reason = reason
    parcours.closing_note = note.strip()
    parcours.save(update_fields=["closed_on", "closing_reason", "closing_note"])
    ParcoursEvent.objects.create(
        operator_id=parcours.operator_id,
        parcours=parcours,
        kind=ParcoursEvent.Kind.END,
        on=ended_on,
        channel=channel,
        reason=reason,
        sub_reason=sub_reason,
        note=note.strip(),
        level=parcours.current_level,
        by=actor,
    )
    parcours_closed.send(sender=Parcours, parcours=parcours)
    log_event(
        membership=actor,
        operator_id=parcours.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={
            "fin": ended_on.isoformat(),
            "motif": reason,
            "sous_motif": sub_reason.pk if sub_reason else None,
            "modalite": channel,
        },
    )
    return parcours


@transaction.atomic
def reopen_parcours(
    *,
    membership: Membership,
    parcours: Parcours,
    reason: str,
    ip_address: str | None = None,
    today: date | None = None,
) -> Parcours:
    """Reopen an ended parcours within PARCOURS_REOPEN_DAYS, with a reason; the end stays in the
    history and the surveys it planned and not yet sent are cancelled."""
    parcours = _locked(parcours)
    if parcours.is_open:
        raise ValidationError("Ce parcours est en cours : il n'y a rien à rouvrir.")
    if not may_end(membership, parcours):
        raise PermissionDenied(NOT_ALLOWED)
    if parcours.closing_reason == Parcours.ClosingReason.TRANSFERRED:
        raise ValidationError("Un parcours transféré se poursuit chez l'opérateur qui l'a reçu.")
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Indiquez pourquoi le parcours est rouvert."]
    elif len(reason.strip()) > 300:
        errors["reason"] = ["300 caractères au plus."]
    if not can_reopen(parcours, today=today):
        deadline = reopen_deadline(parcours)
        assert deadline is not None
        errors["__all__"] = [
            f"Le délai de réouverture ({settings.PARCOURS_REOPEN_DAYS} jours) est dépassé depuis "
            f"le {deadline:%d/%m/%Y} : ouvrez un nouveau parcours, relié à celui-ci."
        ]
    if Parcours.objects.filter(beneficiary_id=parcours.beneficiary_id, closed_on=None).exists():
        errors["__all__"] = ["Cette personne a déjà un parcours en cours."]
    if errors:
        raise ValidationError(errors)
    ended = {"fin": f"{parcours.closed_on:%Y-%m-%d}", "motif": parcours.closing_reason}
    parcours.closed_on = None
    parcours.closing_reason = ""
    parcours.closing_note = ""
    parcours.save(update_fields=["closed_on", "closing_reason", "closing_note"])
    ParcoursEvent.objects.create(
        operator_id=parcours.operator_id,
        parcours=parcours,
        kind=ParcoursEvent.Kind.REOPEN,
        on=today,
        note=reason.strip(),
        level=parcours.current_level,
        by=membership,
    )
    parcours_reopened.send(sender=Parcours, parcours=parcours)
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={"reouverture": today.isoformat(), "motif": reason.strip(), **ended},
    )
    return parcours


@transaction.atomic
def open_following_parcours(
    *,
    membership: Membership,
    previous: Parcours,
    entry_level: int,
    reason: str = "",
    ip_address: str | None = None,
    today: date | None = None,
) -> Parcours:
    """Past the reopening window: a new parcours for the same person, linked to the ended one
    (the file lists both)."""
    previous = _locked(previous)
    if previous.is_open:
        raise ValidationError("Ce parcours est en cours : terminez-le d'abord.")
    if not may_end(membership, previous):
        raise PermissionDenied(NOT_ALLOWED)
    today = today or timezone.localdate()
    parcours = core.open_parcours(
        membership=membership,
        beneficiary=previous.beneficiary,
        entry_level=entry_level,
        opened_on=today,
        reason=reason.strip() or "Nouveau parcours après un parcours terminé",
    )
    parcours.previous_parcours = previous
    parcours.save(update_fields=["previous_parcours"])
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={"parcours_precedent": previous.pk},
    )
    return parcours


@transaction.atomic
def save_sub_reason(
    *, membership: Membership, national_reason: str, label: str, active: bool = True
) -> SubReason:
    offered = set(Parcours.ClosingReason.values) - {Parcours.ClosingReason.TRANSFERRED}
    errors: dict[str, list[str]] = {}
    if national_reason not in offered:
        errors["national_reason"] = ["Choisissez le motif national dans la liste."]
    if not label.strip():
        errors["label"] = ["Indiquez le libellé du sous-motif."]
    if errors:
        raise ValidationError(errors)
    sub_reason, _ = SubReason.objects.update_or_create(
        operator_id=membership.operator_id,
        national_reason=national_reason,
        label=label.strip(),
        defaults={"active": active},
    )
    log_event(membership=membership, action=AuditEvent.Action.UPDATE, obj=sub_reason)
    return sub_reason
