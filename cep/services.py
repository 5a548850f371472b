"""State-changing operations of the core: one transaction each, the actor explicit, audit written.

Views and API views parse input and call these; they never save models themselves. Validation
errors are raised as Django ``ValidationError`` keyed by field, so a form shows them next to the
field and the API answers a field-level 400, from the same rule.
"""

from datetime import date, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from guardian.shortcuts import assign_perm, remove_perm

from cep.audit import log_event
from cep.links import absolute_url
from cep.models import (
    ApiToken,
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    BeneficiaryRequest,
    Consent,
    Coordinator,
    Invitation,
    Level,
    Membership,
    Operator,
    Parcours,
    ReferentAssignment,
    Service,
)
from cep.nomenclatures import check_eligibility
from cep.roles import ALL_OPERATOR_PERMISSIONS, ROLE_PERMISSIONS
from cep.signals import consent_withdrawn, parcours_closed, parcours_level_entered
from cep.space import ERASED, anonymisers, retention_checks

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
    if BeneficiaryAccount.for_login.filter(user=user).exists():
        # A person's own account stays theirs: staff rights never go to it.
        raise ValidationError({"user": "Ce compte est celui d'un bénéficiaire."})
    if Coordinator.objects.filter(user=user).exists():
        # A coordinator sees indicators only: a membership would open people's files to them.
        raise ValidationError({"user": "Ce compte est celui d'une coordination."})
    membership, _ = Membership.objects.with_scope(operator=operator.pk).update_or_create(
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
    if Membership.for_login.filter(user=user).exists():
        return "Ce compte a une habilitation dans une structure."
    if BeneficiaryAccount.for_login.filter(user=user).exists():
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
def issue_api_token(
    *, membership: Membership, label: str, issued_by: Membership | None = None
) -> tuple[ApiToken, str]:
    """A token for an operator's information system; the key is returned once, never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.with_scope(operator=membership.operator_id).create(
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
def revoke_api_token(*, token: ApiToken, revoked_by: Membership) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log_event(membership=revoked_by, action=AuditEvent.Action.UPDATE, obj=token)
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
) -> Parcours:
    if beneficiary.parcours.open().exists():
        raise ValidationError("Cette personne a déjà un parcours en cours.")
    parcours = Parcours.objects.create(
        operator_id=membership.operator_id,
        beneficiary=beneficiary,
        referent=membership,
        entry_level=entry_level,
        current_level=entry_level,
        opened_on=opened_on,
        level_2_on=opened_on if entry_level == Level.CONSEIL else None,
        level_3_on=opened_on if entry_level == Level.ACCOMPAGNEMENT else None,
    )
    ReferentAssignment.objects.create(
        operator_id=membership.operator_id,
        parcours=parcours,
        referent=membership,
        assigned_by=membership,
        reason="Ouverture du parcours",
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
        if delivered_on > timezone.localdate():
            errors["delivered_on"] = ["Une prestation se saisit une fois réalisée : date future."]
        elif delivered_on < parcours.opened_on:
            errors["delivered_on"] = [
                f"Le parcours a été ouvert le {parcours.opened_on:%d/%m/%Y} : "
                "la prestation ne peut pas être antérieure."
            ]
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
    *, membership: Membership, beneficiary: Beneficiary, ip_address: str | None = None
) -> Beneficiary:
    """Erase what identifies the person, once no legal retention holds the file: names, contact,
    exact birth date, every free text; what the indicators count (dates, levels, kinds of
    service, situation codes) stays, anonymous."""
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    blockers = []
    if Parcours.objects.filter(beneficiary=beneficiary, closed_on__isnull=True).exists():
        blockers.append("Un parcours est encore ouvert : clôturez-le avant d'anonymiser.")
    blockers += [reason for check in retention_checks() if (reason := check(beneficiary))]
    if blockers:
        raise ValidationError(blockers)
    beneficiary.first_name = "Personne"
    beneficiary.last_name = f"anonymisée n° {beneficiary.pk}"
    beneficiary.email = ""
    beneficiary.phone = ""
    beneficiary.postcode = ""
    # The year keeps the age band of the indicators; the day and month identified the person.
    beneficiary.birth_date = date(beneficiary.birth_date.year, 1, 1)
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
        action=AuditEvent.Action.UPDATE,
        obj=beneficiary,
        beneficiary=beneficiary,
        ip_address=ip_address,
        details={"anonymisation": True},
    )
    return beneficiary


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
