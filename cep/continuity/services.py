"""Writes of the continuity of support: transfers between operators of the platform, co-référents,
and the liaison file for a structure outside the platform. One transaction each, audit written
on both sides."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm, remove_perm

from cep.audit import log_event
from cep.closure.services import end_parcours
from cep.continuity.models import (
    LiaisonFile,
    Transfer,
    TransferStatusChange,
    TransferUserPermission,
)
from cep.continuity.signals import transfer_status_changed
from cep.models import (
    ENDED_READ_ONLY,
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    Consent,
    Membership,
    Operator,
    Parcours,
)
from cep.registries import CATEGORIES, REQUIRED_FOR_TRANSFER
from cep.roles import REVIEW_CASELOAD, ROLE_PERMISSIONS
from cep.services import open_parcours

REVIEWER_ROLES = (Membership.Role.MANAGER, Membership.Role.ADMIN)
REVIEW_TRANSFER = "continuity.review_transfer"
CO_FOLLOW_PARCOURS = "cep.co_follow_parcours"
OPEN_TRANSFER = (Transfer.Status.AWAITING_CONSENT, Transfer.Status.PENDING)
TRANSFER_CONSENT_REQUIRED = (
    "Le partage du dossier avec un autre opérateur demande l'accord de la personne : "
    "indiquez comment il a été recueilli."
)


def _transfer_categories(categories: list[str]) -> list[str]:
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        raise ValidationError({"categories": "Choisissez les données dans la liste proposée."})
    missing = [CATEGORIES[c] for c in REQUIRED_FOR_TRANSFER if c not in categories]
    if missing:
        raise ValidationError(
            {
                "categories": "L'opérateur d'accueil ne peut ouvrir le dossier sans : "
                + ", ".join(m.lower() for m in missing)
                + "."
            }
        )
    return [c for c in CATEGORIES if c in categories]  # in a stable order


def _transfer_step(transfer: Transfer, note: str, membership: Membership | None = None) -> None:
    # The history is the sending operator's rows, written from either side.
    with scope(operator=transfer.operator_id):
        TransferStatusChange.objects.create(
            operator_id=transfer.operator_id,
            transfer=transfer,
            status=transfer.status,
            note=note,
            changed_by=membership,
        )
        transfer_status_changed.send(sender=Transfer, transfer=transfer)


def _person_snapshot(parcours: Parcours) -> dict:
    """The fields that open the file at the receiving operator (identity and situation are
    always part of a transfer)."""
    b = parcours.beneficiary
    return {
        "first_name": b.first_name,
        "last_name": b.last_name,
        "sex": b.sex,
        "birth_date": b.birth_date.isoformat(),
        "email": b.email,
        "phone": b.phone,
        "france_travail_id": b.france_travail_id,
        "postcode": b.postcode,
        "departement": b.departement,
        "employment_status": b.employment_status,
        "pcs_group": b.pcs_group,
        "diploma_level": b.diploma_level,
        "rqth": b.rqth,
        "qpv_resident": b.qpv_resident,
        "level": parcours.current_level,
    }


def _send_transfer(transfer: Transfer, consent: Consent, membership: Membership | None) -> None:
    """With the person's consent: the snapshot of the consented data leaves, and the receiving
    operator's managers may read this transfer until they decide (or it expires)."""
    from cep.person_data import liaison_content

    now = timezone.now()
    transfer.consent = consent
    transfer.status = Transfer.Status.PENDING
    transfer.sent_at = now
    transfer.expires_at = now + timedelta(days=settings.TRANSFER_DECISION_DAYS)
    transfer.liaison = liaison_content(transfer.beneficiary, transfer.categories)
    transfer.person = _person_snapshot(transfer.parcours)
    transfer.save()
    with scope(operator=transfer.target_operator_id):  # the receiving operator's managers
        reviewers = list(
            Membership.objects.filter(
                role__in=REVIEWER_ROLES, is_active=True, user__is_active=True
            ).select_related("user")
        )
    for reviewer in reviewers:
        assign_perm(REVIEW_TRANSFER, reviewer.user, transfer)
    _transfer_step(transfer, "Envoyé avec l'accord de la personne", membership)


def _close_transfer_access(transfer: Transfer) -> None:
    TransferUserPermission.objects.filter(content_object=transfer).delete()


def _messages_by_field(error: ValidationError) -> dict[str, str]:
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


def require_transfer_consent(*, consent_evidence: str, ask_in_space: bool) -> None:
    """The consent rule of every transfer, wherever it is proposed: nothing leaves without the
    person's consent. Recorded by the counsellor (how it was given), the transfer is sent at
    once; without it, the person is asked in their space when the caller lets the transfer wait
    for their answer (the file does), and otherwise it is refused here."""
    if not consent_evidence.strip() and not ask_in_space:
        raise ValidationError({"consent_evidence": TRANSFER_CONSENT_REQUIRED})


def check_transfer_proposal(
    *,
    membership: Membership,
    parcours: Parcours,
    target_operator_id: int,
    reason: str,
    categories: list[str],
    consent_evidence: str,
    ask_in_space: bool,
) -> list[str]:
    """Every reason to refuse a proposal, field by field and all at once, before anything is
    written; returns the categories in their stable order. A form of another app (the level-1
    orientation) shows these messages next to its own."""
    errors: dict[str, str] = {}
    if target_operator_id == membership.operator_id:
        errors["target_operator"] = "Choisissez un autre opérateur que le vôtre."
    if not reason.strip():
        errors["reason"] = "Indiquez le motif du transfert."
    if not parcours.is_open:
        errors["target_operator"] = ENDED_READ_ONLY.format(day=f"{parcours.closed_on:%d/%m/%Y}")
    elif Transfer.objects.filter(parcours=parcours, status__in=OPEN_TRANSFER).exists():
        errors["target_operator"] = "Un transfert de ce parcours est déjà en cours."
    try:
        categories = _transfer_categories(categories)
    except ValidationError as error:
        errors.update(_messages_by_field(error))
    try:
        require_transfer_consent(consent_evidence=consent_evidence, ask_in_space=ask_in_space)
    except ValidationError as error:
        errors.update(_messages_by_field(error))
    if errors:
        raise ValidationError(errors)
    return categories


@transaction.atomic
def propose_transfer(
    *,
    membership: Membership,
    parcours: Parcours,
    target_operator: Operator,
    reason: str,
    categories: list[str],
    consent_evidence: str = "",
    ask_in_space: bool = True,
    ip_address: str | None = None,
) -> Transfer:
    """Propose to carry a parcours to another operator of the platform. With the consent
    recorded by the counsellor (how it was given), it is sent at once; without, the person is
    asked in their space and nothing leaves until they agree, or, when the caller cannot wait
    for that (``ask_in_space=False``), it is refused (require_transfer_consent)."""
    categories = check_transfer_proposal(
        membership=membership,
        parcours=parcours,
        target_operator_id=target_operator.pk,
        reason=reason,
        categories=categories,
        consent_evidence=consent_evidence,
        ask_in_space=ask_in_space,
    )
    transfer = Transfer.objects.create(
        operator_id=membership.operator_id,
        target_operator=target_operator,
        parcours=parcours,
        beneficiary=parcours.beneficiary,
        reason=reason.strip(),
        categories=categories,
        status=Transfer.Status.AWAITING_CONSENT,
        created_by=membership,
    )
    _transfer_step(transfer, "Transfert proposé", membership)
    if consent_evidence.strip():
        consent = Consent.objects.create(
            operator_id=membership.operator_id,
            beneficiary=parcours.beneficiary,
            purpose=Consent.Purpose.SHARE_WITH_OPERATOR,
            categories=categories,
            given_at=timezone.now(),
            evidence=consent_evidence.strip()[:300],
            recorded_by=membership,
        )
        _send_transfer(transfer, consent, membership)
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=transfer,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={"vers": target_operator.name, "donnees": categories, "statut": transfer.status},
    )
    return transfer


@transaction.atomic(durable=True)
def answer_transfer_from_space(
    *, account: BeneficiaryAccount, transfer_id: int, agree: bool, ip_address: str | None = None
) -> Transfer:
    """The person agrees (their consent, for the categories named) or declines, from their
    space. Only a transfer of their own, waiting for them."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("parcours__beneficiary", "beneficiary")
        .get(pk=transfer_id, beneficiary_id=account.beneficiary_id)
    )
    if transfer.status != Transfer.Status.AWAITING_CONSENT:
        raise ValidationError("Ce transfert n'attend plus votre réponse.")
    if agree:
        consent = Consent.objects.create(
            operator_id=transfer.operator_id,
            beneficiary=transfer.beneficiary,
            purpose=Consent.Purpose.SHARE_WITH_OPERATOR,
            categories=transfer.categories,
            given_at=timezone.now(),
            evidence="Accord donné par la personne depuis son espace",
        )
        _send_transfer(transfer, consent, None)
    else:
        transfer.status = Transfer.Status.CANCELLED
        transfer.save(update_fields=["status"])
        _transfer_step(transfer, "La personne n'a pas donné son accord depuis son espace")
    log_event(
        membership=None,
        operator_id=transfer.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=transfer,
        beneficiary=transfer.beneficiary,
        ip_address=ip_address,
        details={"accord": agree, "depuis": "espace bénéficiaire"},
    )
    return transfer


def incoming_transfer_for_update(membership: Membership, transfer_id: int) -> Transfer:
    """A transfer sent to the membership's operator that this person may decide on (the object
    permission), locked; anything else does not exist for them."""
    transfer = (
        Transfer.for_target.sent_to(membership.operator_id)
        .select_for_update(of=("self",))
        .filter(
            pk=transfer_id,
            transferuserpermission__user_id=membership.user_id,
            transferuserpermission__permission__codename="review_transfer",
        )
        .first()
    )
    if transfer is None:
        raise Transfer.DoesNotExist
    return transfer


def _decided(transfer: Transfer, membership: Membership, status: str) -> None:
    transfer.status = status
    transfer.decided_at = timezone.now()
    transfer.decided_by = membership
    _close_transfer_access(transfer)


def _audit_both_sides(
    transfer: Transfer, membership: Membership, action: str, ip: str | None, details: dict
) -> None:
    log_event(membership=membership, action=action, obj=transfer, ip_address=ip, details=details)
    # The sending side's event names the person: it shows in "who accessed my file". It is
    # the sending operator's row, written in its scope.
    with scope(operator=transfer.operator_id):
        log_event(
            membership=None,
            operator_id=transfer.operator_id,
            action=action,
            obj=transfer,
            beneficiary=transfer.beneficiary,
            ip_address=ip,
            details={**details, "par": membership.operator.name},
        )


@transaction.atomic
def accept_transfer(
    *,
    membership: Membership,
    transfer_id: int,
    referent: Membership,
    ip_address: str | None = None,
) -> Parcours:
    """The receiving operator takes the person on: a new file and parcours carrying the shared
    data, a référent; the sending operator's parcours is closed as transferred and stays
    there."""
    transfer = incoming_transfer_for_update(membership, transfer_id)
    if transfer.status != Transfer.Status.PENDING:
        raise ValidationError("Ce transfert n'attend plus de décision.")
    # A pending transfer has its deadline (_send_transfer); none would mean none is past.
    if transfer.expires_at is not None and transfer.expires_at <= timezone.now():
        raise ValidationError("Le délai de décision de ce transfert est dépassé.")
    if referent.operator_id != membership.operator_id or not referent.is_active:
        raise ValidationError({"referent": "Choisissez un conseiller actif de votre structure."})
    person = dict(transfer.person)
    level = person.pop("level")
    today = timezone.localdate()
    beneficiary = Beneficiary(operator_id=membership.operator_id, **person)
    beneficiary.full_clean(exclude=["operator"])
    beneficiary.save()
    parcours = open_parcours(
        membership=membership,
        beneficiary=beneficiary,
        entry_level=level,
        opened_on=today,
        referent=referent,
        reason=f"Transfert accepté (venant de {transfer.operator})",
    )
    LiaisonFile.objects.create(
        operator_id=membership.operator_id,
        parcours=parcours,
        origin_operator_id=transfer.operator_id,
        categories=transfer.categories,
        content=transfer.liaison,
        reason=transfer.reason,
    )
    _decided(transfer, membership, Transfer.Status.ACCEPTED)
    transfer.received_parcours = parcours
    transfer.save()
    _transfer_step(transfer, f"Accepté par {membership.operator.name}", membership)
    # The sending operator keeps its own record, closed as transferred, for its obligations.
    with scope(operator=transfer.operator_id):
        origin = Parcours.objects.select_for_update().get(pk=transfer.parcours_id)
        if origin.is_open:
            end_parcours(
                membership=membership,
                parcours=origin,
                ended_on=max(today, origin.opened_on),
                reason=Parcours.ClosingReason.TRANSFERRED,
                by_system=True,
            )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"transfert": transfer.pk, "venant_de": str(transfer.operator)},
    )
    _audit_both_sides(
        transfer, membership, AuditEvent.Action.UPDATE, ip_address, {"decision": "accepte"}
    )
    return parcours


@transaction.atomic
def refuse_transfer(
    *, membership: Membership, transfer_id: int, reason: str, ip_address: str | None = None
) -> Transfer:
    transfer = incoming_transfer_for_update(membership, transfer_id)
    if transfer.status != Transfer.Status.PENDING:
        raise ValidationError("Ce transfert n'attend plus de décision.")
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    _decided(transfer, membership, Transfer.Status.REFUSED)
    transfer.refusal_reason = reason.strip()[:300]
    transfer.save()
    _transfer_step(
        transfer, f"Refusé par {membership.operator.name} : {reason.strip()}"[:300], membership
    )
    _audit_both_sides(
        transfer, membership, AuditEvent.Action.UPDATE, ip_address, {"decision": "refuse"}
    )
    return transfer


@transaction.atomic
def expire_transfer(*, transfer_id: int, now: datetime | None = None) -> bool:
    """Past its time without a decision: the receiving operator reads it no more. ``now``: the
    job's clock (its start), so a batch judges every transfer at the same instant."""
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer_id)
    now = now or timezone.now()
    # No deadline is never due, as for expire_transfers' query (a pending transfer has one).
    if (
        transfer.status != Transfer.Status.PENDING
        or transfer.expires_at is None
        or transfer.expires_at > now
    ):
        return False
    transfer.status = Transfer.Status.EXPIRED
    transfer.save(update_fields=["status"])
    _close_transfer_access(transfer)
    _transfer_step(transfer, "Expiré sans décision de l'opérateur d'accueil")
    log_event(
        membership=None,
        operator_id=transfer.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=transfer,
        details={"statut": transfer.status},
    )
    return True


def expire_transfers() -> int:
    """The hourly job, across operators: each transfer expires in its own operator's scope."""
    started = timezone.now()
    with scopes_disabled():  # a platform job: it reads ids only
        due = list(
            Transfer.objects.filter(
                status=Transfer.Status.PENDING, expires_at__lte=started
            ).values_list("pk", "operator_id")
        )
    expired = 0
    for transfer_id, operator_id in due:
        with scope(operator=operator_id):
            expired += expire_transfer(transfer_id=transfer_id, now=started)
    return expired


def on_share_consent_withdrawn(
    sender: object, *, beneficiary: Beneficiary, purpose: str, **kwargs: object
) -> None:
    """The person withdrew their consent to share their file: their open transfers stop, and
    the receiving operator reads them no more."""
    if purpose != Consent.Purpose.SHARE_WITH_OPERATOR:
        return
    for transfer in Transfer.objects.select_for_update(of=("self",)).filter(
        beneficiary=beneficiary, status__in=OPEN_TRANSFER
    ):
        transfer.status = Transfer.Status.CANCELLED
        transfer.save(update_fields=["status"])
        _close_transfer_access(transfer)
        _transfer_step(transfer, "La personne a retiré son accord au partage de son dossier")


# --- Co-référents: a second counsellor follows one parcours, until the right is taken back


def _check_co_referent(membership: Membership, parcours: Parcours, counsellor: Membership) -> None:
    if not (
        parcours.referent_id == membership.pk
        or REVIEW_CASELOAD in ROLE_PERMISSIONS[membership.role]
    ):
        raise ValidationError(
            "Seuls le référent du parcours et les managers désignent un co-référent."
        )
    if counsellor.operator_id != membership.operator_id or not counsellor.is_active:
        raise ValidationError({"counsellor": "Choisissez un conseiller actif de votre structure."})


@transaction.atomic(durable=True)
def add_co_referent(
    *, membership: Membership, parcours: Parcours, counsellor: Membership
) -> Parcours:
    _check_co_referent(membership, parcours, counsellor)
    if counsellor.pk == parcours.referent_id:
        raise ValidationError({"counsellor": "Ce conseiller est déjà le référent du parcours."})
    parcours.require_open()
    assign_perm(CO_FOLLOW_PARCOURS, counsellor.user, parcours)
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        details={"co_referent_ajoute": counsellor.pk},
    )
    return parcours


@transaction.atomic(durable=True)
def remove_co_referent(
    *, membership: Membership, parcours: Parcours, counsellor: Membership
) -> Parcours:
    _check_co_referent(membership, parcours, counsellor)
    remove_perm(CO_FOLLOW_PARCOURS, counsellor.user, parcours)
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        details={"co_referent_retire": counsellor.pk},
    )
    return parcours


# --- The liaison file for a structure outside the platform


@transaction.atomic(durable=True)
def export_liaison_package(
    *,
    membership: Membership,
    parcours: Parcours,
    categories: list[str],
    recipient: str,
    consent_evidence: str,
    ip_address: str | None = None,
) -> bytes:
    """A ZIP with the liaison file as JSON and as PDF, for a structure not on the platform:
    only the consented categories, only with the person's consent (recorded here), audited."""
    import io
    import json
    import zipfile

    from weasyprint import HTML

    from cep.person_data import liaison_content

    errors: dict[str, str] = {}
    if not recipient.strip():
        errors["recipient"] = "Indiquez la structure qui recevra le dossier."
    if not consent_evidence.strip():
        errors["consent_evidence"] = (
            "Transmettre le dossier demande l'accord de la personne : indiquez comment il a "
            "été recueilli."
        )
    try:
        categories = _transfer_categories(categories)
    except ValidationError as error:
        errors.update(_messages_by_field(error))
    if errors:
        raise ValidationError(errors)
    beneficiary = parcours.beneficiary
    Consent.objects.create(
        operator_id=membership.operator_id,
        beneficiary=beneficiary,
        purpose=Consent.Purpose.SHARE_WITH_OPERATOR,
        categories=categories,
        given_at=timezone.now(),
        evidence=f"Pour {recipient.strip()} : {consent_evidence.strip()}"[:300],
        recorded_by=membership,
    )
    content = liaison_content(beneficiary, categories)
    document = {
        "genere_le": timezone.now().isoformat(),
        "operateur": membership.operator.name,
        "destinataire": recipient.strip(),
        "donnees_partagees": [CATEGORIES[c] for c in categories],
        "sections": content,
    }
    html = render_to_string(
        "continuity/liaison_pdf.html",
        {"document": document, "beneficiary": beneficiary, "operator": membership.operator},
    )
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "dossier-de-liaison.json", json.dumps(document, ensure_ascii=False, indent=2)
        )
        archive.writestr("dossier-de-liaison.pdf", pdf)
    log_event(
        membership=membership,
        action=AuditEvent.Action.EXPORT,
        obj=parcours,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"dossier_de_liaison": recipient.strip(), "donnees": categories},
    )
    return buffer.getvalue()


def record_transfer_read(
    *, membership: Membership, transfer: Transfer, ip_address: str | None = None
) -> None:
    """Reading an incoming transfer is reading the person's data: both trails say who did."""
    _audit_both_sides(transfer, membership, AuditEvent.Action.READ, ip_address, {"lu": True})
