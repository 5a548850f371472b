"""Writes of the beneficiary space: the invitation, the person's consents and requests, the export
of their data. One transaction each, the actor explicit, audit written."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from cep.audit import log_event
from cep.links import absolute_url
from cep.models import AuditEvent, Beneficiary, BeneficiaryAccount, Consent, Membership, Parcours
from cep.signals import consent_withdrawn
from cep.space.models import BeneficiaryRequest, Invitation

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


@transaction.atomic(durable=True)
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
        message=render_to_string("space/invitation_email.txt", context),
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


@transaction.atomic(durable=True)
def accept_invitation(*, token: str, password: str, ip_address: str | None = None) -> User:
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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
