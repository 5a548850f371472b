"""State-changing operations of the core: one transaction each, the actor explicit, audit written.

Views and API views parse input and call these; they never save models themselves. Validation
errors are raised as Django ``ValidationError`` keyed by field, so a form shows them next to the
field and the API answers a field-level 400, from the same rule.
"""

from datetime import date, datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm, remove_perm

from cep import dates
from cep.audit import log_event
from cep.links import absolute_url
from cep.models import (
    ApiToken,
    AuditCheckpoint,
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    BeneficiaryRequest,
    Consent,
    Coordinator,
    CoordinatorToken,
    Invitation,
    Level,
    LiaisonFile,
    Membership,
    Operator,
    Parcours,
    ReferentAssignment,
    Service,
    Transfer,
    TransferStatusChange,
    TransferUserPermission,
)
from cep.nomenclatures import check_eligibility
from cep.roles import ALL_OPERATOR_PERMISSIONS, REVIEW_CASELOAD, ROLE_PERMISSIONS
from cep.signals import consent_withdrawn, parcours_closed, parcours_level_entered
from cep.space import CATEGORIES, ERASED, REQUIRED_FOR_TRANSFER, anonymisers, retention_checks

BENEFICIARY_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "email",
    "phone",
    "postcode",
    "departement",
    "employment_status",
    "pcs_group",
    "diploma_level",
    "rqth",
    "qpv_resident",
)


def _sync_role_permissions(membership: Membership) -> None:
    granted = ROLE_PERMISSIONS[membership.role] if membership.is_active else frozenset()
    for permission in ALL_OPERATOR_PERMISSIONS:
        if permission in granted:
            assign_perm(permission, membership.user, membership.operator)
        else:
            remove_perm(permission, membership.user, membership.operator)


@transaction.atomic
def grant_membership(
    *,
    operator: Operator,
    user: AbstractBaseUser,
    role: str,
    granted_by: Membership | None = None,
) -> Membership:
    """Give a user a role in an operator (or change it): the role becomes guardian permissions."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    if BeneficiaryAccount.for_login.user_has_any(user):
        # A person's own account stays theirs: staff rights never go to it.
        raise ValidationError({"user": "Ce compte est celui d'un bénéficiaire."})
    if Coordinator.objects.filter(user=user).exists():
        # A coordinator sees indicators only: a membership would open people's files to them.
        raise ValidationError({"user": "Ce compte est celui d'une coordination."})
    with scope(operator=operator.pk):
        membership, _ = Membership.objects.update_or_create(
            user=user, operator=operator, defaults={"role": role, "is_active": True}
        )
        _sync_role_permissions(membership)
    if granted_by is not None:
        log_event(
            membership=granted_by,
            action=AuditEvent.Action.UPDATE,
            obj=membership,
            details={"role": role},
        )
    return membership


def coordinator_account_error(user) -> str | None:
    if Membership.for_login.user_has_any(user):
        return "Ce compte a une habilitation dans une structure."
    if BeneficiaryAccount.for_login.user_has_any(user):
        return "Ce compte est celui d'un bénéficiaire."
    return None


@transaction.atomic
def appoint_coordinator(*, user: AbstractBaseUser, level: str, region: str = "") -> Coordinator:
    """A regional or national coordinator: an account with no membership and no beneficiary
    record, so it can reach the indicators and nothing else."""
    if error := coordinator_account_error(user):
        raise ValidationError({"user": error})
    coordinator = Coordinator.objects.filter(user=user).first() or Coordinator(user=user)
    coordinator.level, coordinator.region, coordinator.is_active = level, region, True
    coordinator.full_clean()
    coordinator.save()
    return coordinator


@transaction.atomic
def issue_coordinator_token(
    *, coordinator: Coordinator, label: str
) -> tuple[CoordinatorToken, str]:
    """A token for a coordination's information system, on the indicator API only; the key is
    returned once, never stored. (No operator's trail records it: it opens no person's data.)"""
    if not coordinator.is_active:
        raise ValidationError({"coordinator": "Cette coordination n'est plus active."})
    key = ApiToken.generate_key()
    token = CoordinatorToken.objects.create(
        coordinator=coordinator, label=label, key_digest=ApiToken.digest(key)
    )
    return token, key


@transaction.atomic
def deactivate_membership(*, membership: Membership, deactivated_by: Membership) -> Membership:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _sync_role_permissions(membership)
    log_event(
        membership=deactivated_by,
        action=AuditEvent.Action.UPDATE,
        obj=membership,
        details={"is_active": False},
    )
    return membership


@transaction.atomic
def set_counsellors_second_factor(
    *, membership: Membership, required: bool, ip_address: str | None = None
) -> Operator:
    """Whether the operator's counsellors must confirm their login with a code too (managers
    and admins always do)."""
    operator = Operator.objects.select_for_update().get(pk=membership.operator_id)
    if operator.counsellors_use_2fa != required:
        operator.counsellors_use_2fa = required
        operator.save(update_fields=["counsellors_use_2fa"])
        log_event(
            membership=membership,
            action=AuditEvent.Action.UPDATE,
            obj=operator,
            ip_address=ip_address,
            details={"double_authentification_conseillers": required},
        )
    return operator


@transaction.atomic
def issue_api_token(
    *, membership: Membership, label: str, issued_by: Membership | None = None
) -> tuple[ApiToken, str]:
    """A token for an operator's information system; the key is returned once, never stored."""
    key = ApiToken.generate_key()
    with scope(operator=membership.operator_id):
        token = ApiToken.objects.create(
            operator_id=membership.operator_id,
            membership=membership,
            label=label,
            key_digest=ApiToken.digest(key),
        )
    log_event(
        membership=issued_by or membership,
        action=AuditEvent.Action.CREATE,
        obj=token,
        details={"label": label},
    )
    return token, key


@transaction.atomic
def revoke_api_token(
    *,
    token: ApiToken,
    revoked_by: Membership | None = None,
    platform_user: AbstractBaseUser | None = None,
) -> ApiToken:
    """The token stops working at once. Revoked by a member of its operator (`revoked_by`) or
    by platform staff in the admin (`platform_user`); either way its operator's trail records
    it. A token already revoked keeps its date and writes nothing more."""
    if (revoked_by is None) == (platform_user is None):
        raise ValueError("revoke_api_token needs revoked_by or platform_user, not both")
    if revoked_by is not None and revoked_by.operator_id != token.operator_id:
        raise ValidationError("Ce jeton appartient à une autre structure.")
    with scope(operator=token.operator_id):
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    log_event(
        membership=revoked_by,
        user=platform_user,
        operator_id=token.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=token,
        details={"revoque": True, "par_la_plateforme": platform_user is not None},
    )
    return token


@transaction.atomic
def revoke_coordinator_token(*, token: CoordinatorToken) -> CoordinatorToken:
    """Platform staff revoke a coordination's token (admin). Like its issuing, no operator's
    trail records it: it opens no person's data (the admin's own history does)."""
    token = CoordinatorToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _check_beneficiary(beneficiary: Beneficiary) -> None:
    """Model validation plus the eligibility rule, every error keyed by its field."""
    errors: dict[str, list[str]] = {}
    try:
        beneficiary.full_clean(exclude=["operator"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "employment_status" not in errors:
        verdict = check_eligibility(beneficiary.employment_status)
        if not verdict.eligible:
            errors["employment_status"] = [verdict.reason]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_beneficiary(
    *,
    membership: Membership,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: date,
    departement: str,
    employment_status: str,
    email: str = "",
    phone: str = "",
    postcode: str = "",
    pcs_group: str = "",
    diploma_level: str = "",
    rqth: bool = False,
    qpv_resident: bool = False,
    entry_level: int = Level.ACCUEIL,
    opened_on: date | None = None,
    ip_address: str | None = None,
) -> Beneficiary:
    """Record an eligible person and open their parcours, followed by the acting counsellor."""
    beneficiary = Beneficiary(
        operator_id=membership.operator_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        sex=sex,
        birth_date=birth_date,
        departement=departement,
        employment_status=employment_status,
        email=email.strip().lower(),
        phone=phone.strip(),
        postcode=postcode.strip(),
        pcs_group=pcs_group,
        diploma_level=diploma_level,
        rqth=rqth,
        qpv_resident=qpv_resident,
    )
    _check_beneficiary(beneficiary)
    if entry_level not in Level.values:
        raise ValidationError({"entry_level": "Niveau d'entrée inconnu."})
    beneficiary.save()
    parcours = open_parcours(
        membership=membership,
        beneficiary=beneficiary,
        entry_level=entry_level,
        opened_on=opened_on or timezone.localdate(),
    )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"parcours": parcours.pk},
    )
    return beneficiary


@transaction.atomic
def update_beneficiary(
    *,
    membership: Membership,
    beneficiary: Beneficiary,
    ip_address: str | None = None,
    **changes,
) -> Beneficiary:
    unknown = set(changes) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise TypeError(f"Not a beneficiary field: {', '.join(sorted(unknown))}")
    # Compare with the stored row, locked: the caller's instance may already carry the new values
    # (a ModelForm writes them during validation).
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    changed = sorted(name for name, value in changes.items() if getattr(beneficiary, name) != value)
    for name in changed:
        setattr(beneficiary, name, changes[name])
    _check_beneficiary(beneficiary)
    if changed:
        beneficiary.save(update_fields=[*changed, "updated_at"])
        # Field names only: the audit trail must not become a second copy of the file.
        log_event(
            membership=membership,
            action=AuditEvent.Action.UPDATE,
            obj=beneficiary,
            beneficiary=beneficiary,
            ip_address=ip_address,
            details={"fields": changed},
        )
    return beneficiary


@transaction.atomic
def open_parcours(
    *,
    membership: Membership,
    beneficiary: Beneficiary,
    entry_level: int,
    opened_on: date,
    referent: Membership | None = None,
    reason: str = "Ouverture du parcours",
) -> Parcours:
    """``referent``: the counsellor who will follow it, the opener by default."""
    if beneficiary.parcours.open().exists():
        raise ValidationError("Cette personne a déjà un parcours en cours.")
    referent = referent or membership
    parcours = Parcours.objects.create(
        operator_id=membership.operator_id,
        beneficiary=beneficiary,
        referent=referent,
        entry_level=entry_level,
        current_level=entry_level,
        opened_on=opened_on,
        level_2_on=opened_on if entry_level == Level.CONSEIL else None,
        level_3_on=opened_on if entry_level == Level.ACCOMPAGNEMENT else None,
    )
    ReferentAssignment.objects.create(
        operator_id=membership.operator_id,
        parcours=parcours,
        referent=referent,
        assigned_by=membership,
        reason=reason,
    )
    parcours_level_entered.send(
        sender=Parcours, parcours=parcours, level=entry_level, membership=membership
    )
    return parcours


@transaction.atomic
def close_parcours(
    *,
    membership: Membership,
    parcours: Parcours,
    closed_on: date,
    reason: str,
    ip_address: str | None = None,
) -> Parcours:
    if not parcours.is_open:
        raise ValidationError("Ce parcours est déjà clos.")
    if reason not in Parcours.ClosingReason.values:
        raise ValidationError({"closing_reason": "Choisissez un motif de clôture dans la liste."})
    if closed_on < parcours.opened_on or closed_on > timezone.localdate():
        raise ValidationError(
            {"closed_on": "La date de clôture doit être comprise entre l'ouverture et aujourd'hui."}
        )
    parcours.closed_on = closed_on
    parcours.closing_reason = reason
    parcours.save(update_fields=["closed_on", "closing_reason"])
    parcours_closed.send(sender=Parcours, parcours=parcours)
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={"closed_on": closed_on.isoformat(), "closing_reason": reason},
    )
    return parcours


@transaction.atomic
def record_service(
    *,
    membership: Membership,
    parcours: Parcours,
    kind: str,
    channel: str,
    delivered_on: date,
    duration_minutes: int,
    notes: str = "",
    level: int | None = None,
    ip_address: str | None = None,
) -> Service:
    """Record a service delivered at the parcours' current level (or the level it belongs to,
    e.g. a collective information session is always level 1); it is the last contact."""
    if not parcours.is_open:
        raise ValidationError("Ce parcours est clos : il n'accepte plus de prestation.")
    service = Service(
        operator_id=membership.operator_id,
        parcours=parcours,
        level=level or parcours.current_level,
        kind=kind,
        channel=channel,
        delivered_on=delivered_on,
        duration_minutes=duration_minutes,
        counsellor=membership,
        notes=notes.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        service.full_clean(exclude=["operator", "parcours", "counsellor"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "delivered_on" not in errors:
        try:
            dates.check_recorded_act("delivered_on", delivered_on, opened_on=parcours.opened_on)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    service.save()
    if parcours.last_contact_on is None or delivered_on > parcours.last_contact_on:
        parcours.last_contact_on = delivered_on
        parcours.save(update_fields=["last_contact_on"])
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=service,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
    )
    return service


def record_access_log_read(
    *, membership: Membership, beneficiary: Beneficiary, ip_address: str | None = None
) -> AuditEvent:
    return log_event(
        membership=membership,
        action=AuditEvent.Action.READ,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"journal_des_acces": True},
    )


def record_beneficiary_read(
    *, membership: Membership, beneficiary: Beneficiary, ip_address: str | None = None
) -> AuditEvent:
    """Every read of a person's file is traced, so an operator can say who saw it."""
    return log_event(
        membership=membership,
        action=AuditEvent.Action.READ,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
    )


# --- The beneficiary space -----------------------------------------------------------------------

INVITATION_UNKNOWN = (
    "Ce lien d'invitation n'est pas valide. Vérifiez que vous avez copié l'adresse en entier, ou "
    "demandez une nouvelle invitation à votre conseiller."
)
INVITATION_USED = (
    "Ce lien d'invitation a déjà servi : votre espace existe. Connectez-vous avec votre adresse "
    "électronique et votre mot de passe."
)
INVITATION_EXPIRED = (
    "Ce lien d'invitation a expiré. Demandez une nouvelle invitation à votre conseiller."
)


@transaction.atomic
def invite_beneficiary(
    *, membership: Membership, beneficiary: Beneficiary, ip_address: str | None = None
) -> Invitation:
    """E-mail the person a single-use link, valid `BENEFICIARY_INVITATION_DAYS`, that creates
    their account. A new invitation replaces the links sent before."""
    if not beneficiary.email:
        raise ValidationError(
            {"email": "Ajoutez d'abord l'adresse électronique de la personne à son dossier."}
        )
    if BeneficiaryAccount.objects.filter(beneficiary=beneficiary).exists():
        raise ValidationError(
            {
                "email": "La personne a déjà son espace. Si elle a perdu son mot de passe, elle "
                "utilise « Mot de passe oublié » sur la page de connexion."
            }
        )
    now = timezone.now()
    Invitation.objects.filter(beneficiary=beneficiary, used_at__isnull=True).update(expires_at=now)
    token = Invitation.generate_token()
    invitation = Invitation.objects.create(
        operator_id=beneficiary.operator_id,
        beneficiary=beneficiary,
        email=beneficiary.email,
        token_digest=Invitation.digest(token),
        created_by=membership,
        expires_at=now + timedelta(days=settings.BENEFICIARY_INVITATION_DAYS),
    )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=invitation,
        beneficiary=beneficiary,
        ip_address=ip_address,
    )
    context = {
        "beneficiary": beneficiary,
        "operator": membership.operator,
        "counsellor": membership,
        "url": absolute_url(reverse("space:accept_invitation", kwargs={"token": token})),
        "days": settings.BENEFICIARY_INVITATION_DAYS,
    }
    # Last, inside the transaction: if the mail cannot leave, no invitation exists.
    mail.send_mail(
        subject=f"Votre espace personnel — {membership.operator.name}",
        message=render_to_string("cep/space/invitation_email.txt", context),
        from_email=None,
        recipient_list=[beneficiary.email],
    )
    return invitation


def usable_invitation(token: str) -> Invitation:
    """The invitation behind a link, or a French reason why the link cannot be used."""
    invitation = Invitation.for_token.by_token(token) if token else None
    if invitation is None:
        raise ValidationError({"token": INVITATION_UNKNOWN})
    if invitation.used_at is not None:
        raise ValidationError({"token": INVITATION_USED})
    if invitation.expires_at <= timezone.now():
        raise ValidationError({"token": INVITATION_EXPIRED})
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, password: str, ip_address: str | None = None):
    """Create the person's account from their invitation link; the link then never works again."""
    found = usable_invitation(token)
    with scope(operator=found.operator_id):
        invitation = (
            Invitation.objects.select_for_update().select_related("beneficiary").get(pk=found.pk)
        )
        usable_invitation(token)  # again, under the lock: two clicks make one account
        beneficiary = invitation.beneficiary
        if BeneficiaryAccount.objects.filter(beneficiary=beneficiary).exists():
            raise ValidationError({"token": INVITATION_USED})
        user_model = get_user_model()
        username = invitation.email.lower()
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {
                    "token": "Un compte existe déjà avec cette adresse électronique. "
                    "Connectez-vous, ou utilisez « Mot de passe oublié »."
                }
            )
        user = user_model(
            username=username,
            email=invitation.email,
            first_name=beneficiary.first_name,
            last_name=beneficiary.last_name,
        )
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"new_password1": error.messages}) from None
        user.set_password(password)
        user.save()
        account = BeneficiaryAccount.objects.create(
            operator_id=invitation.operator_id, beneficiary=beneficiary, user=user
        )
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        log_event(
            membership=None,
            operator_id=invitation.operator_id,
            action=AuditEvent.Action.CREATE,
            obj=account,
            beneficiary=beneficiary,
            ip_address=ip_address,
        )
    return user


@transaction.atomic
def set_consent_from_space(
    *, account: BeneficiaryAccount, purpose: str, given: bool, ip_address: str | None = None
) -> Consent:
    """The person gives or withdraws a consent; the dated row is their receipt. A withdrawal
    takes effect at once: `consent_withdrawn` lets each app stop what depended on it."""
    if purpose not in Consent.Purpose.values:
        raise ValidationError({"purpose": "Choisissez un objet dans la liste."})
    beneficiary = account.beneficiary
    Beneficiary.objects.select_for_update().filter(pk=beneficiary.pk).first()
    active = Consent.objects.filter(
        beneficiary=beneficiary, purpose=purpose, withdrawn_at__isnull=True
    ).order_by("-given_at", "-pk")
    now = timezone.now()
    if given:
        consent = active.first()
        if consent is not None:
            raise ValidationError({"purpose": "Vous avez déjà donné cet accord."})
        consent = Consent.objects.create(
            operator_id=account.operator_id,
            beneficiary=beneficiary,
            purpose=purpose,
            given_at=now,
            evidence="Donné par la personne depuis son espace personnel",
        )
    else:
        consent = active.first()
        if consent is None:
            raise ValidationError({"purpose": "Cet accord n'était pas donné."})
        active.update(withdrawn_at=now)
        consent.refresh_from_db()
        consent_withdrawn.send(sender=Consent, beneficiary=beneficiary, purpose=purpose)
    log_event(
        membership=None,
        operator_id=account.operator_id,
        action=AuditEvent.Action.CREATE if given else AuditEvent.Action.UPDATE,
        obj=consent,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"objet": purpose, "donne": given},
    )
    return consent


@transaction.atomic
def send_request_from_space(
    *,
    account: BeneficiaryAccount,
    kind: str,
    message: str,
    parcours: Parcours | None = None,
    ip_address: str | None = None,
) -> BeneficiaryRequest:
    """A message from the person to their référent (changes to the project or plan,
    rectification) or to the operator's managers (erasure)."""
    errors = {}
    if kind not in BeneficiaryRequest.Kind.values:
        errors["kind"] = "Choisissez l'objet de votre demande."
    if not message.strip():
        errors["message"] = "Écrivez votre message."
    elif len(message) > 3000:
        errors["message"] = "Votre message dépasse 3 000 caractères : raccourcissez-le."
    if parcours is not None and parcours.beneficiary_id != account.beneficiary_id:
        errors["parcours"] = "Ce parcours n'est pas le vôtre."
    if errors:
        raise ValidationError(errors)
    request = BeneficiaryRequest.objects.create(
        operator_id=account.operator_id,
        beneficiary=account.beneficiary,
        parcours=parcours,
        kind=kind,
        message=message.strip(),
    )
    log_event(
        membership=None,
        operator_id=account.operator_id,
        action=AuditEvent.Action.CREATE,
        obj=request,
        beneficiary=account.beneficiary,
        ip_address=ip_address,
    )
    return request


@transaction.atomic
def handle_request(
    *, membership: Membership, request: BeneficiaryRequest, outcome: str
) -> BeneficiaryRequest:
    if not outcome.strip():
        raise ValidationError({"outcome": "Indiquez la suite donnée à la demande."})
    request = BeneficiaryRequest.objects.select_for_update().get(pk=request.pk)
    if request.handled_at is not None:
        raise ValidationError({"outcome": "Cette demande est déjà traitée."})
    request.handled_at = timezone.now()
    request.handled_by = membership
    request.outcome = outcome.strip()[:300]
    request.save(update_fields=["handled_at", "handled_by", "outcome"])
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=request,
        beneficiary=request.beneficiary,
    )
    return request


@transaction.atomic
def record_data_export(*, account: BeneficiaryAccount, ip_address: str | None = None) -> AuditEvent:
    return log_event(
        membership=None,
        operator_id=account.operator_id,
        action=AuditEvent.Action.EXPORT,
        obj=account.beneficiary,
        beneficiary=account.beneficiary,
        ip_address=ip_address,
        details={"par": "la personne", "contenu": "toutes ses données"},
    )


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
    from cep.selectors import retention_report

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


# --- Managers: reassignment ----------------------------------------------------------------------


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
                    "cep/reassignment_email.txt",
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


@transaction.atomic
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


# --- Transfers between operators (continuum de service)

REVIEWER_ROLES = (Membership.Role.MANAGER, Membership.Role.ADMIN)
REVIEW_TRANSFER = "cep.review_transfer"
CO_FOLLOW_PARCOURS = "cep.co_follow_parcours"
OPEN_TRANSFER = (Transfer.Status.AWAITING_CONSENT, Transfer.Status.PENDING)


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
    from cep.data_export import liaison_content

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


@transaction.atomic
def propose_transfer(
    *,
    membership: Membership,
    parcours: Parcours,
    target_operator: Operator,
    reason: str,
    categories: list[str],
    consent_evidence: str = "",
    ip_address: str | None = None,
) -> Transfer:
    """Propose to carry a parcours to another operator of the platform. With the consent
    recorded by the counsellor (how it was given), it is sent at once; without, the person is
    asked in their space and nothing leaves until they agree."""
    errors: dict[str, str] = {}
    if target_operator.pk == membership.operator_id:
        errors["target_operator"] = "Choisissez un autre opérateur que le vôtre."
    if not reason.strip():
        errors["reason"] = "Indiquez le motif du transfert."
    if not parcours.is_open:
        errors["target_operator"] = "Ce parcours est clos : il ne peut plus être transféré."
    elif Transfer.objects.filter(parcours=parcours, status__in=OPEN_TRANSFER).exists():
        errors["target_operator"] = "Un transfert de ce parcours est déjà en cours."
    try:
        categories = _transfer_categories(categories)
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
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


@transaction.atomic
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
    if transfer.expires_at <= timezone.now():
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
            origin.closed_on = max(today, origin.opened_on)
            origin.closing_reason = Parcours.ClosingReason.TRANSFERRED
            origin.save(update_fields=["closed_on", "closing_reason"])
            parcours_closed.send(sender=Parcours, parcours=origin)
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
    if transfer.status != Transfer.Status.PENDING or transfer.expires_at > now:
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


def on_share_consent_withdrawn(sender, *, beneficiary, purpose, **kwargs) -> None:
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


def _check_co_referent(membership: Membership, parcours: Parcours, counsellor: Membership):
    if not (
        parcours.referent_id == membership.pk
        or REVIEW_CASELOAD in ROLE_PERMISSIONS[membership.role]
    ):
        raise ValidationError(
            "Seuls le référent du parcours et les managers désignent un co-référent."
        )
    if counsellor.operator_id != membership.operator_id or not counsellor.is_active:
        raise ValidationError({"counsellor": "Choisissez un conseiller actif de votre structure."})


@transaction.atomic
def add_co_referent(
    *, membership: Membership, parcours: Parcours, counsellor: Membership
) -> Parcours:
    _check_co_referent(membership, parcours, counsellor)
    if counsellor.pk == parcours.referent_id:
        raise ValidationError({"counsellor": "Ce conseiller est déjà le référent du parcours."})
    if not parcours.is_open:
        raise ValidationError("Ce parcours est clos.")
    assign_perm(CO_FOLLOW_PARCOURS, counsellor.user, parcours)
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        details={"co_referent_ajoute": counsellor.pk},
    )
    return parcours


@transaction.atomic
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


@transaction.atomic
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

    from cep.data_export import liaison_content

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
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
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
        "cep/liaison_pdf.html",
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


# --- Audit retention


@transaction.atomic
def purge_old_audit_events(*, now: datetime | None = None) -> int:
    """Delete the events older than `AUDIT_RETENTION_DAYS`, operator by operator, keeping the
    last deleted link as the chain's new starting point (its verification goes on from it)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted = 0
    # A platform job over every operator's trail; each operator's part is then handled alone.
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (operator_id) operator_id, chain_index, hash
            FROM cep_auditevent WHERE at < %s
            ORDER BY operator_id, chain_index DESC
            """,
            [cutoff],
        )
        oldest = cursor.fetchall()
    for operator_id, up_to, last_hash in oldest:
        with scope(operator=operator_id), connection.cursor() as cursor:
            AuditCheckpoint.objects.update_or_create(
                operator_id=operator_id,
                defaults={
                    "up_to_index": up_to,
                    "last_hash": last_hash,
                    "purged_at": timezone.now(),
                },
            )
            # The application's role cannot DELETE from the trail: the owner's function does.
            cursor.execute("SELECT cep_audit_purge(%s, %s)", [operator_id, up_to])
            deleted += cursor.fetchone()[0]
    return deleted
