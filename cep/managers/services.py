"""Writes of the managers' screens: the retention of files (anonymisation) and the
reassignment of parcours between counsellors. One transaction each, audit written."""

from datetime import date
from smtplib import SMTPException

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cep.audit import log_event
from cep.models import (
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    Membership,
    Operator,
    Parcours,
    ReferentAssignment,
    Service,
)
from cep.registries import ERASED, anonymisers, retention_checks
from cep.services import deactivate_membership
from cep.space.models import BeneficiaryRequest, Invitation


@transaction.atomic
def anonymise_beneficiary(
    *, membership: Membership | None, beneficiary: Beneficiary, ip_address: str | None = None
) -> Beneficiary:
    """Erase what identifies the person, once no legal retention holds the file: names, contact,
    exact birth date, every free text; what the indicators count (dates, levels, kinds of
    service, situation codes) stays, anonymous."""
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    blockers = []
    if Parcours.objects.filter(beneficiary=beneficiary, closed_on__isnull=True).exists():
        blockers.append("Un parcours est encore ouvert : clôturez-le avant d'anonymiser.")
    this_one = Beneficiary.objects.filter(pk=beneficiary.pk)
    blockers += [
        kept[beneficiary.pk]
        for check in retention_checks()
        if beneficiary.pk in (kept := check(this_one))
    ]
    if blockers:
        raise ValidationError(blockers)
    beneficiary.first_name = "Personne"
    beneficiary.last_name = f"anonymisée n° {beneficiary.pk}"
    beneficiary.email = ""
    beneficiary.phone = ""
    beneficiary.france_travail_id = ""
    beneficiary.postcode = ""
    # The year keeps the age band of the indicators; the day and month identified the person.
    beneficiary.birth_date = date(beneficiary.birth_date.year, 1, 1)
    beneficiary.anonymised_at = timezone.now()
    beneficiary.save()
    Service.objects.filter(parcours__beneficiary=beneficiary).update(notes="")
    ReferentAssignment.objects.filter(parcours__beneficiary=beneficiary).update(reason="")
    Invitation.objects.filter(beneficiary=beneficiary).update(email="")
    BeneficiaryRequest.objects.filter(beneficiary=beneficiary).update(message=ERASED)
    BeneficiaryRequest.objects.filter(
        beneficiary=beneficiary, kind=BeneficiaryRequest.Kind.ERASURE, handled_at__isnull=True
    ).update(handled_at=timezone.now(), handled_by=membership, outcome="Dossier anonymisé")
    account = BeneficiaryAccount.objects.filter(beneficiary=beneficiary).select_related("user")
    for item in account:
        user = item.user
        user.username = f"anonyme-{item.pk}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    for anonymise in anonymisers():
        anonymise(beneficiary)
    log_event(
        membership=membership,
        operator_id=beneficiary.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"anonymisation": True, "par": "conservation" if membership is None else ""},
    )
    return beneficiary


def apply_retention(*, today: date | None = None) -> int:
    """The nightly job: every operator's files past `FILE_RETENTION_DAYS` without contact, that
    no legal retention holds, are anonymised (what the indicators count stays)."""
    from cep.managers.selectors import retention_report

    with scopes_disabled():  # a platform job: it reads operator ids only
        operator_ids = list(Operator.objects.values_list("pk", flat=True))
    done = 0
    for operator_id in operator_ids:
        with scope(operator=operator_id):
            for row in retention_report(today=today or timezone.localdate()):
                if row.kept_because:
                    continue
                anonymise_beneficiary(membership=None, beneficiary=row.beneficiary)
                done += 1
    return done


def _check_new_referent(to: Membership, operator_id: int) -> None:
    if to.operator_id != operator_id:
        raise ValidationError({"to": "Ce conseiller n'appartient pas à votre structure."})
    if not to.is_active:
        raise ValidationError(
            {"to": "Ce conseiller a quitté la structure : choisissez un conseiller en poste."}
        )


@transaction.atomic
def reassign_parcours(
    *,
    membership: Membership,
    parcours_ids: list[int],
    to: Membership,
    reason: str,
    ip_address: str | None = None,
) -> int:
    """Give many parcours to another counsellor of the same operator, in one transaction and a
    bounded number of queries; the history of référents keeps who, when and why, and the new
    référent is told by e-mail. Any refusal changes nothing."""
    errors = {}
    if not reason.strip():
        errors["reason"] = "Indiquez le motif de la réaffectation."
    if not parcours_ids:
        errors["parcours"] = "Cochez au moins un parcours."
    if errors:
        raise ValidationError(errors)
    found_to = Membership.objects.select_related("user").filter(pk=to.pk).first()
    if found_to is None:  # outside the scope: another operator's
        raise ValidationError({"to": "Ce conseiller n'appartient pas à votre structure."})
    to = found_to
    _check_new_referent(to, membership.operator_id)
    wanted = set(parcours_ids)
    # Locked in one statement; another operator's parcours never counts, scope or not.
    found = list(
        Parcours.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted, closed_on__isnull=True, operator_id=membership.operator_id)
        .select_related("beneficiary")
        .order_by("pk")
    )
    if len(found) != len(wanted):
        raise ValidationError(
            {"parcours": "Certains parcours n'existent pas, sont clos ou ne sont pas les vôtres."}
        )
    moved = [p for p in found if p.referent_id != to.pk]
    if not moved:  # a no-op is refused, never reported as "0 parcours confiés"
        raise ValidationError(
            {
                "to": (
                    f"{to.display_name} est déjà le référent de "
                    f"{'ce parcours' if len(found) == 1 else 'ces parcours'} : "
                    "choisissez un autre conseiller."
                )
            }
        )
    Parcours.objects.filter(pk__in=[p.pk for p in moved]).update(referent=to)
    ReferentAssignment.objects.bulk_create(
        ReferentAssignment(
            operator_id=membership.operator_id,
            parcours=p,
            referent=to,
            assigned_by=membership,
            reason=reason.strip()[:300],
        )
        for p in moved
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            operator_id=membership.operator_id,
            user_id=membership.user_id,
            membership=membership,
            action=AuditEvent.Action.UPDATE,
            object_type=Parcours._meta.label_lower,
            object_id=str(p.pk),
            beneficiary=p.beneficiary,
            ip_address=ip_address,
            details={"referent": to.pk, "motif": reason.strip()[:300]},
        )
        for p in moved
    )
    if moved and to.user.email:
        # Last, inside the transaction: if the notice cannot leave, nothing moved.
        try:
            mail.send_mail(
                subject=f"{len(moved)} parcours vous sont confiés",
                message=render_to_string(
                    "managers/reassignment_email.txt",
                    {"to": to, "by": membership, "parcours": moved, "reason": reason.strip()},
                ),
                from_email=None,
                recipient_list=[to.user.email],
            )
        except (SMTPException, OSError):
            raise ValidationError(
                {
                    "to": "Le nouveau référent n'a pas pu être prévenu (messagerie indisponible) : "
                    "rien n'a été réaffecté. Réessayez plus tard."
                }
            ) from None
    return len(moved)


@transaction.atomic(durable=True)
def hand_over_caseload(
    *,
    membership: Membership,
    leaving: Membership,
    to: Membership,
    reason: str,
    deactivate: bool = False,
    ip_address: str | None = None,
) -> int:
    """A counsellor leaving hands all their open parcours over in one action."""
    if leaving.pk == to.pk:
        raise ValidationError({"to": "Choisissez un autre conseiller que celui qui part."})
    ids = list(Parcours.objects.open().filter(referent=leaving).values_list("pk", flat=True))
    moved = 0
    if ids:
        moved = reassign_parcours(
            membership=membership, parcours_ids=ids, to=to, reason=reason, ip_address=ip_address
        )
    elif not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la réaffectation."})
    if deactivate:
        deactivate_membership(membership=leaving, deactivated_by=membership)
    return moved
