"""State-changing operations of the core: one transaction each, the actor explicit, audit written.

Views and API views parse input and call these; they never save models themselves. Validation
errors are raised as Django ``ValidationError`` keyed by field, so a form shows them next to the
field and the API answers a field-level 400, from the same rule.

A service only ever called outermost (by a view, an admin action, a command or a task) is
``atomic(durable=True)``: called inside another transaction it fails at once rather than commit
with it. One that another service or the demo seeding calls stays plain ``atomic``, and so do
those the API reaches (tests/test_api_fuzzing.py sends each request inside a transaction that it
rolls back). The same rule holds in the topic apps.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm, remove_perm

from cep import dates
from cep.audit import log_event
from cep.models import (
    BENEFICIARY_FIELDS,
    ApiToken,
    AuditCheckpoint,
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    Coordinator,
    CoordinatorToken,
    Level,
    Membership,
    Operator,
    Parcours,
    ReferentAssignment,
    Service,
    normalize_france_travail_id,
)
from cep.nomenclatures import check_eligibility
from cep.registries import PossibleDuplicate, person_matcher
from cep.roles import ALL_OPERATOR_PERMISSIONS, ROLE_PERMISSIONS
from cep.signals import parcours_level_entered


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
    user: User,
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


def coordinator_account_error(user: User) -> str | None:
    if Membership.for_login.user_has_any(user):
        return "Ce compte a une habilitation dans une structure."
    if BeneficiaryAccount.for_login.user_has_any(user):
        return "Ce compte est celui d'un bénéficiaire."
    return None


@transaction.atomic(durable=True)
def appoint_coordinator(*, user: User, level: str, region: str = "") -> Coordinator:
    """A regional or national coordinator: an account with no membership and no beneficiary
    record, so it can reach the indicators and nothing else."""
    if error := coordinator_account_error(user):
        raise ValidationError({"user": error})
    coordinator = Coordinator.objects.filter(user=user).first() or Coordinator(user=user)
    coordinator.level, coordinator.region, coordinator.is_active = level, region, True
    coordinator.full_clean()
    coordinator.save()
    return coordinator


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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
    france_travail_id: str = "",
    postcode: str = "",
    pcs_group: str = "",
    diploma_level: str = "",
    rqth: bool = False,
    qpv_resident: bool = False,
    entry_level: int = Level.ACCUEIL,
    opened_on: date | None = None,
    ip_address: str | None = None,
    confirm_distinct: bool = False,
) -> Beneficiary:
    """Record an eligible person and open their parcours, followed by the acting counsellor.

    When the operator already has files that may be this person (cep.duplicates), nothing is
    saved and `PossibleDuplicate` names them, unless the counsellor confirmed another person
    (`confirm_distinct`), which is recorded against each of them."""
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
        france_travail_id=normalize_france_travail_id(france_travail_id),
        postcode=postcode.strip(),
        pcs_group=pcs_group,
        diploma_level=diploma_level,
        rqth=rqth,
        qpv_resident=qpv_resident,
    )
    _check_beneficiary(beneficiary)
    if entry_level not in Level.values:
        raise ValidationError({"entry_level": "Niveau d'entrée inconnu."})
    matcher = person_matcher()
    candidates = matcher.candidates(beneficiary) if matcher else []
    if candidates and not confirm_distinct:
        raise PossibleDuplicate(candidates)
    beneficiary.save()
    if matcher and candidates:
        matcher.record_distinct(
            membership=membership,
            beneficiary=beneficiary,
            candidates=candidates,
            ip_address=ip_address,
        )
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
    confirm_distinct: bool = False,
    **changes: object,
) -> Beneficiary:
    """Change a file. When a new e-mail, phone or France Travail identifier makes it look like
    another file of the operator (cep.duplicates), nothing is saved and `PossibleDuplicate`
    names them, unless the counsellor confirmed another person (`confirm_distinct`), which is
    recorded against each of them."""
    unknown = set(changes) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise TypeError(f"Not a beneficiary field: {', '.join(sorted(unknown))}")
    if isinstance(typed_id := changes.get("france_travail_id"), str):
        changes["france_travail_id"] = normalize_france_travail_id(typed_id)
    # Compare with the stored row, locked: the caller's instance may already carry the new values
    # (a ModelForm writes them during validation).
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if beneficiary.merged_into_id:
        raise ValidationError(
            "Ce dossier a été fusionné dans le dossier n° "
            f"{beneficiary.merged_into_id} : modifiez ce dernier."
        )
    changed = sorted(name for name, value in changes.items() if getattr(beneficiary, name) != value)
    for name in changed:
        setattr(beneficiary, name, changes[name])
    _check_beneficiary(beneficiary)
    matcher = person_matcher()
    candidates = []
    if changed and matcher and matcher.candidates_after_change:
        candidates = matcher.candidates_after_change(beneficiary, set(changed))
        if candidates and not confirm_distinct:
            raise PossibleDuplicate(candidates)
    if changed:
        beneficiary.save(update_fields=[*changed, "updated_at"])
        if matcher and candidates:
            matcher.record_distinct(
                membership=membership,
                beneficiary=beneficiary,
                candidates=candidates,
                ip_address=ip_address,
                action=AuditEvent.Action.UPDATE,
            )
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
    # The related manager is built from Parcours' ScopedManager, which the plugin cannot read.
    if beneficiary.parcours.open().exists():  # type: ignore[attr-defined]
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
    parcours.require_open()
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


# --- Audit retention


@transaction.atomic(durable=True)
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
