"""Level-1 writes: intake, information, routing, outcome, collective sessions.

Each function is one transaction, takes the acting membership, writes the audit trail and raises
field-keyed ``ValidationError``s that forms and the API show next to the field.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_scopes import scope, scopes_disabled

from accueil import selectors
from accueil.models import (
    ROUTING_STATUS_OF_TRANSFER,
    InformationDelivery,
    InformationSession,
    IntakeRequest,
    Routing,
    RoutingRule,
    RoutingStatusChange,
    SessionRegistration,
    Structure,
)
from accueil.routing import PersonFacts
from cep import services as core
from cep.audit import log_event
from cep.background import enqueue
from cep.closure import services as closure
from cep.continuity import services as continuity
from cep.continuity.models import Transfer
from cep.models import (
    AuditEvent,
    Beneficiary,
    Level,
    Membership,
    Parcours,
    ReferentAssignment,
    Service,
    Site,
)
from cep.nomenclatures import check_eligibility
from cep.registries import REQUIRED_FOR_TRANSFER
from cep.signals import parcours_level_entered


def _full_clean(instance, *, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


@transaction.atomic
def record_intake(
    *,
    membership: Membership,
    person: dict[str, Any],
    received_on: date,
    channel: str,
    motive: str,
    heard_from: str = "",
    project_type: str = "",
    constraint_family: bool = False,
    constraint_health: bool = False,
    constraint_mobility: bool = False,
    constraint_disability: bool = False,
    constraints_notes: str = "",
    ip_address: str | None = None,
    confirm_distinct: bool = False,
) -> IntakeRequest:
    """Receive a request: the person, their parcours at level 1 and the request, or nothing.

    `person` holds the beneficiary's fields (see cep.services.create_beneficiary); an inactive
    person is refused by that function's eligibility rule before anything is written, and a
    person who may already have a file by its duplicate check (`confirm_distinct` passes it on).
    """
    if received_on > timezone.localdate():
        raise ValidationError(
            {"received_on": "Une demande se saisit une fois reçue : date future."}
        )
    beneficiary = core.create_beneficiary(
        membership=membership,
        entry_level=Level.ACCUEIL,
        opened_on=received_on,
        ip_address=ip_address,
        confirm_distinct=confirm_distinct,
        **person,
    )
    parcours = beneficiary.parcours.get()
    suggestion = selectors.routing_suggestion(
        facts=PersonFacts(
            birth_date=beneficiary.birth_date,
            employment_status=beneficiary.employment_status,
            rqth=beneficiary.rqth,
            pcs_group=beneficiary.pcs_group,
        ),
        on=received_on,
    )
    intake = IntakeRequest(
        operator_id=membership.operator_id,
        parcours=parcours,
        received_on=received_on,
        channel=channel,
        heard_from=heard_from,
        motive=motive.strip(),
        project_type=project_type,
        constraint_family=constraint_family,
        constraint_health=constraint_health,
        constraint_mobility=constraint_mobility,
        constraint_disability=constraint_disability,
        constraints_notes=constraints_notes.strip(),
        eligibility_reason=check_eligibility(beneficiary.employment_status).reason,
        received_by=membership,
        suggested_structure=suggestion.target if suggestion else None,
        suggested_rule_label=suggestion.label if suggestion else "",
    )
    _full_clean(intake, exclude=["operator", "parcours", "received_by", "suggested_structure"])
    intake.save()
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=intake,
        beneficiary=beneficiary,
        ip_address=ip_address,
    )
    return intake


@transaction.atomic
def record_information(
    *,
    membership: Membership,
    parcours: Parcours,
    delivered_on: date,
    channel: str,
    duration_minutes: int,
    themes: list[str],
    resources: str = "",
    notes: str = "",
    ip_address: str | None = None,
) -> InformationDelivery:
    """Information given in an individual interview: a level-1 service and what it covered."""
    unknown = [theme for theme in themes if theme not in InformationDelivery.Theme.values]
    if not themes or unknown:
        raise ValidationError({"themes": "Choisissez au moins un thème dans la liste."})
    parcours.require_open()
    if parcours.current_level != Level.ACCUEIL:
        raise ValidationError("Ce parcours a dépassé le niveau 1.")
    service = core.record_service(
        membership=membership,
        parcours=parcours,
        kind=Service.Kind.INDIVIDUAL_INTERVIEW,
        channel=channel,
        delivered_on=delivered_on,
        duration_minutes=duration_minutes,
        notes=notes,
        ip_address=ip_address,
    )
    return InformationDelivery.objects.create(
        operator_id=membership.operator_id,
        service=service,
        themes=list(dict.fromkeys(themes)),
        resources=resources.strip(),
    )


# The transfer's refusals, shown next to the orientation form's fields.
ROUTING_FIELD_OF_TRANSFER = {"target_operator": "target"}
TRANSFER_WAITS_FOR_ITS_DECISION = (
    "Ce transfert suit la décision de l'opérateur d'accueil sur la plateforme : son statut "
    "change avec elle."
)
CONSENT_WITHDRAWN_MESSAGE = (
    "La personne a retiré son accord au partage de son dossier : ce transfert ne peut plus avancer."
)


@transaction.atomic
def route(
    *,
    membership: Membership,
    parcours: Parcours,
    target: Structure,
    reason: str,
    consent_evidence: str = "",
    ip_address: str | None = None,
) -> Routing:
    """Orient the person to another structure. Towards an operator of this platform it is a
    transfer, proposed through cep.continuity (its consent rule, its history, the receiving
    operator's decision); the person is at the desk, so their consent is recorded now or the
    orientation is refused."""
    parcours.require_open()
    errors: dict[str, str] = {}
    is_transfer = target.platform_operator_id is not None
    if is_transfer:
        try:
            continuity.check_transfer_proposal(
                membership=membership,
                parcours=parcours,
                target_operator_id=target.platform_operator_id,
                reason=reason,
                categories=list(REQUIRED_FOR_TRANSFER),
                consent_evidence=consent_evidence,
                ask_in_space=False,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[ROUTING_FIELD_OF_TRANSFER.get(field, field)] = " ".join(messages)
    # This form's own words win where both have one.
    if not target.is_active:
        errors["target"] = "Cette structure n'est plus active dans votre annuaire."
    if target.platform_operator_id == membership.operator_id:
        errors["target"] = "On n'oriente pas une personne vers sa propre structure."
    if not reason.strip():
        errors["reason"] = "Indiquez le motif de l'orientation."
    if errors:
        raise ValidationError(errors)
    transfer = None
    if is_transfer:
        transfer = continuity.propose_transfer(
            membership=membership,
            parcours=parcours,
            target_operator=target.platform_operator,
            reason=reason,
            categories=list(REQUIRED_FOR_TRANSFER),
            consent_evidence=consent_evidence,
            ask_in_space=False,
            ip_address=ip_address,
        )
    routing = Routing.objects.create(
        operator_id=membership.operator_id,
        parcours=parcours,
        target=target,
        reason=reason.strip(),
        status=ROUTING_STATUS_OF_TRANSFER[transfer.status] if transfer else Routing.Status.PENDING,
        transfer=transfer,
        created_by=membership,
    )
    if transfer is None:
        RoutingStatusChange.objects.create(
            operator_id=membership.operator_id,
            routing=routing,
            status=routing.status,
            changed_by=membership,
            note="Orientation proposée",
        )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=routing,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={"transfer": is_transfer},
    )
    return routing


@transaction.atomic
def change_routing_status(
    *, membership: Membership, routing: Routing, status: str, note: str = ""
) -> Routing:
    """What became of an orientation outside the platform, as the counsellor learnt it. A
    transfer's status is not set here: it follows the receiving operator's decision."""
    if status not in Routing.Status.values:
        raise ValidationError({"status": "Choisissez un statut dans la liste."})
    routing = (
        Routing.objects.select_for_update(of=("self",))
        .select_related("parcours__beneficiary", "transfer")
        .get(pk=routing.pk)
    )
    if routing.is_transfer:
        withdrawn = routing.transfer.status == Transfer.Status.CANCELLED
        raise ValidationError(
            {"status": CONSENT_WITHDRAWN_MESSAGE if withdrawn else TRANSFER_WAITS_FOR_ITS_DECISION}
        )
    if status == routing.status:
        raise ValidationError({"status": "L'orientation a déjà ce statut."})
    routing.status = status
    routing.save(update_fields=["status"])
    RoutingStatusChange.objects.create(
        operator_id=membership.operator_id,
        routing=routing,
        status=status,
        note=note.strip(),
        changed_by=membership,
    )
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=routing,
        beneficiary=routing.parcours.beneficiary,
        details={"status": status},
    )
    return routing


@transaction.atomic
def decide_level1_outcome(
    *,
    membership: Membership,
    intake_request: IntakeRequest,
    outcome: str,
    decided_on: date,
    reason: str = "",
    referent: Membership | None = None,
    ip_address: str | None = None,
) -> IntakeRequest:
    """The person's decision at the end of level 1, applied to the parcours in one action."""
    intake = IntakeRequest.objects.select_for_update().get(pk=intake_request.pk)
    parcours = Parcours.objects.select_for_update().get(pk=intake.parcours_id)
    errors: dict[str, str] = {}
    if outcome not in IntakeRequest.Outcome.values:
        errors["outcome"] = "Choisissez la suite décidée par la personne."
    elif intake.outcome:
        errors["outcome"] = "La suite de cette demande a déjà été décidée."
    elif not parcours.is_open or parcours.current_level != Level.ACCUEIL:
        errors["outcome"] = "Ce parcours n'est plus au niveau 1."
    if decided_on < intake.received_on or decided_on > timezone.localdate():
        errors["decided_on"] = "La date doit être comprise entre la demande et aujourd'hui."
    if outcome == IntakeRequest.Outcome.STOPPED and not reason.strip():
        errors["reason"] = "Indiquez pourquoi la personne s'arrête là."
    live = [Routing.Status.PENDING, Routing.Status.ACCEPTED]
    if (
        outcome == IntakeRequest.Outcome.ROUTED
        and not parcours.routings.filter(status__in=live).exists()
    ):
        errors["outcome"] = "Enregistrez d'abord l'orientation vers la structure choisie."
    if referent is not None and referent.operator_id != membership.operator_id:
        errors["referent"] = "Choisissez un conseiller de votre structure."
    if errors:
        raise ValidationError(errors)

    if outcome == IntakeRequest.Outcome.GO_ON:
        referent = referent or membership
        parcours.current_level = Level.CONSEIL
        parcours.level_2_on = decided_on
        parcours.referent = referent
        parcours.save(update_fields=["current_level", "level_2_on", "referent"])
        ReferentAssignment.objects.create(
            operator_id=membership.operator_id,
            parcours=parcours,
            referent=referent,
            assigned_by=membership,
            reason="Entrée au niveau 2",
        )
        parcours_level_entered.send(
            sender=Parcours, parcours=parcours, level=Level.CONSEIL, membership=membership
        )
    else:
        closing = {
            IntakeRequest.Outcome.ROUTED: Parcours.ClosingReason.ROUTED,
            IntakeRequest.Outcome.STOPPED: Parcours.ClosingReason.STOPPED,
        }[outcome]
        closure.end_parcours(
            membership=membership,
            parcours=parcours,
            ended_on=decided_on,
            reason=closing,
            check_permission=False,  # any counsellor records the level-1 decision
            ip_address=ip_address,
        )
    intake.outcome = outcome
    intake.outcome_on = decided_on
    intake.outcome_reason = reason.strip()
    intake.save(update_fields=["outcome", "outcome_on", "outcome_reason"])
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=intake,
        beneficiary=parcours.beneficiary,
        ip_address=ip_address,
        details={"outcome": outcome},
    )
    return intake


@transaction.atomic
def create_session(
    *,
    membership: Membership,
    theme: str,
    starts_at: datetime,
    animator: Membership,
    duration_minutes: int = 90,
    site: Site | None = None,
    remote_link: str = "",
    capacity: int | None = None,
) -> InformationSession:
    session = InformationSession(
        operator_id=membership.operator_id,
        theme=theme.strip(),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        site=site,
        remote_link=remote_link.strip(),
        animator=animator,
    )
    if capacity is not None:
        session.capacity = capacity
    errors: dict[str, list[str]] = {}
    try:
        session.full_clean(exclude=["operator", "animator", "site"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if starts_at <= timezone.now():
        errors["starts_at"] = ["Une session se programme dans le futur."]
    if site is None and not remote_link.strip():
        errors["site"] = ["Indiquez un site d'accueil ou un lien de visioconférence."]
    if animator.operator_id != membership.operator_id:
        errors["animator"] = ["Choisissez un animateur de votre structure."]
    if errors:
        raise ValidationError(errors)
    session.save()
    log_event(membership=membership, action=AuditEvent.Action.CREATE, obj=session)
    return session


@transaction.atomic
def register_for_session(
    *, membership: Membership, session: InformationSession, beneficiary: Beneficiary
) -> SessionRegistration:
    """Register a person; the session row is locked so two counsellors cannot both take the last
    seat: the second one waits, then finds the session full."""
    session = InformationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError({"beneficiary": "Cette session est annulée."})
    if session.starts_at <= timezone.now():
        raise ValidationError({"beneficiary": "Cette session a déjà eu lieu."})
    registrations = SessionRegistration.objects.filter(session=session)
    if registrations.filter(beneficiary=beneficiary).exists():
        raise ValidationError(
            {"beneficiary": f"{beneficiary.full_name} est déjà inscrit(e) à cette session."}
        )
    if registrations.count() >= session.capacity:
        raise ValidationError(
            {
                "beneficiary": f"Cette session est complète ({session.capacity} places) : "
                "proposez une autre date."
            }
        )
    registration = SessionRegistration.objects.create(
        operator_id=membership.operator_id,
        session=session,
        beneficiary=beneficiary,
        registered_by=membership,
    )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=registration,
        beneficiary=beneficiary,
    )
    return registration


@transaction.atomic
def record_attendance(
    *, membership: Membership, registration: SessionRegistration, attendance: str
) -> SessionRegistration:
    """Attending is a collective level-1 service on the person's open parcours."""
    if attendance not in SessionRegistration.Attendance.values:
        raise ValidationError({"attendance": "Choisissez une présence dans la liste."})
    registration = (
        SessionRegistration.objects.select_for_update(of=("self",))
        .select_related("session", "service")
        .get(pk=registration.pk)
    )
    session = registration.session
    if session.is_cancelled:
        raise ValidationError({"attendance": "Cette session a été annulée : pas de présence."})
    if (
        attendance != SessionRegistration.Attendance.REGISTERED
        and session.starts_at > timezone.now()
    ):
        raise ValidationError({"attendance": "La présence se note une fois la session commencée."})
    if attendance == registration.attendance:
        return registration
    if registration.service is not None:
        registration.service.delete()
        registration.service = None
    if attendance == SessionRegistration.Attendance.PRESENT:
        parcours = registration.beneficiary.parcours.open().first()
        if parcours is not None:
            registration.service = core.record_service(
                membership=membership,
                parcours=parcours,
                kind=Service.Kind.INFORMATION_SESSION,
                level=Level.ACCUEIL,
                channel=Service.Channel.ON_SITE if session.site_id else Service.Channel.VIDEO,
                delivered_on=timezone.localtime(session.starts_at).date(),
                duration_minutes=session.duration_minutes,
                notes=f"Session d'information collective : {session.theme}",
            )
    registration.attendance = attendance
    registration.save(update_fields=["attendance", "service"])
    log_event(
        membership=membership,
        action=AuditEvent.Action.UPDATE,
        obj=registration,
        beneficiary=registration.beneficiary,
        details={"attendance": attendance},
    )
    return registration


CANCELLATION_MESSAGE = """Bonjour {first_name},

La session d'information collective « {theme} » prévue le {when} est annulée.
Motif : {reason}

Votre conseiller vous proposera une autre date. Vous pouvez aussi le contacter directement.

{operator}
"""


@transaction.atomic
def cancel_session(
    *, membership: Membership, session: InformationSession, reason: str
) -> InformationSession:
    """Cancel and tell every registered person, one message each: nobody sees the others."""
    session = InformationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError({"reason": "Cette session est déjà annulée."})
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    session.cancelled_at = timezone.now()
    session.cancellation_reason = reason.strip()
    session.save(update_fields=["cancelled_at", "cancellation_reason"])
    log_event(membership=membership, action=AuditEvent.Action.UPDATE, obj=session)
    # After commit: a rolled-back cancellation must not have told anyone. The worker sends.
    # robust: a broker outage must not turn a saved cancellation into an error page; the
    # registrations not yet notified stay marked so, for the task to be sent again.
    enqueue(
        "accueil.tasks.notify_session_cancelled",
        operator_id=membership.operator_id,
        session_id=session.pk,
        robust=True,
    )
    return session


def notify_session_cancelled(*, session_id: int) -> int:
    """E-mail each registrant of a cancelled session who has an address and was not told yet.

    One message per person, so nobody sees the others; each registration is marked in its own
    transaction right after its message, so a retry after a crash resends nobody already told.
    Returns the number of messages sent.
    """
    session = InformationSession.objects.get(pk=session_id)
    if not session.is_cancelled:
        return 0
    when = date_format(timezone.localtime(session.starts_at), "l j F Y à H\\hi")
    operator_name = session.operator.name
    pending = (
        session.registrations.filter(cancellation_notified_at__isnull=True)
        .exclude(beneficiary__email="")
        .select_related("beneficiary")
        .order_by("pk")
    )
    sent = 0
    for registration in pending:
        with transaction.atomic():
            locked = (
                SessionRegistration.objects.select_for_update(skip_locked=True)
                .filter(pk=registration.pk, cancellation_notified_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            send_mail(
                subject=f"Session annulée : {session.theme}",
                message=CANCELLATION_MESSAGE.format(
                    first_name=registration.beneficiary.first_name,
                    theme=session.theme,
                    when=when,
                    reason=session.cancellation_reason,
                    operator=operator_name,
                ),
                from_email=None,
                recipient_list=[registration.beneficiary.email],
            )
            locked.cancellation_notified_at = timezone.now()
            locked.save(update_fields=["cancellation_notified_at"])
            sent += 1
    return sent


# A cancellation's messages leave within a minute; after this long, they were lost (the broker
# was down when the session was cancelled, or the task gave up) and are sent again.
CANCELLATION_RESEND_AFTER = timedelta(minutes=10)


def resend_lost_cancellations(*, now: datetime | None = None) -> list[int]:
    """The periodic job: the cancelled sessions, still to come, with registrants not told yet,
    each notified in its own operator's scope. Returns the sessions notified."""
    now = now or timezone.now()
    with scopes_disabled():  # a platform job: it reads ids only
        untold = (
            SessionRegistration.objects.filter(cancellation_notified_at__isnull=True)
            .exclude(beneficiary__email="")
            .values("session_id")
        )
        lost = list(
            InformationSession.objects.filter(
                pk__in=untold,
                cancelled_at__lt=now - CANCELLATION_RESEND_AFTER,
                starts_at__gt=now,
            )
            .order_by("pk")
            .values_list("pk", "operator_id")
        )
    for session_id, operator_id in lost:
        with scope(operator=operator_id):
            notify_session_cancelled(session_id=session_id)
    return [session_id for session_id, _ in lost]


@transaction.atomic
def save_structure(
    *, membership: Membership, structure: Structure | None = None, **fields
) -> Structure:
    created = structure is None
    structure = structure or Structure(operator_id=membership.operator_id)
    for name, value in fields.items():
        setattr(structure, name, value)
    _full_clean(structure, exclude=["operator"])
    if structure.platform_operator_id == membership.operator_id:
        raise ValidationError(
            {"platform_operator": "Votre structure ne peut pas être sa propre partenaire."}
        )
    structure.save()
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    log_event(membership=membership, action=action, obj=structure)
    return structure


@transaction.atomic
def save_routing_rule(
    *, membership: Membership, rule: RoutingRule | None = None, **fields
) -> RoutingRule:
    rule = rule or RoutingRule(operator_id=membership.operator_id)
    for name, value in fields.items():
        setattr(rule, name, value)
    _full_clean(rule, exclude=["operator"])
    if rule.target.operator_id != membership.operator_id:
        raise ValidationError({"target": "Choisissez une structure de votre annuaire."})
    rule.save()
    log_event(membership=membership, action=AuditEvent.Action.UPDATE, obj=rule)
    return rule


@transaction.atomic
def delete_routing_rule(*, membership: Membership, rule: RoutingRule) -> None:
    log_event(
        membership=membership,
        action=AuditEvent.Action.DELETE,
        obj=rule,
        details={"label": rule.label},
    )
    rule.delete()


def on_transfer_status_changed(sender, *, transfer: Transfer, **kwargs) -> None:
    """A transfer took a step (the person's consent withdrawn, the receiving operator's decision,
    its expiry): the level-1 orientation that proposed it says so too. Sent in the sending
    operator's scope, whose row this is."""
    Routing.objects.filter(transfer=transfer).exclude(
        status=ROUTING_STATUS_OF_TRANSFER[transfer.status]
    ).update(status=ROUTING_STATUS_OF_TRANSFER[transfer.status])
