"""Level-3 writes: one transaction each, the acting membership explicit, the audit written.

The plan's content is edited only on a draft; once the person agreed to a version, changing it is
a revision (a new draft copied from it, with a reason). Carrying the plan out — an action's status,
a funder's answer — is recorded on the version in force.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accompagnement import history
from accompagnement.costs import euros
from accompagnement.funding_rules import SCHEMES
from accompagnement.models import (
    ACTION_FIELDS,
    COST_LINE_FIELDS,
    DECLARED_FACTS_FIELDS,
    EXTERNAL_SERVICE_FIELDS,
    FUNDING_REQUEST_FIELDS,
    PROVIDER_CHOICE_MESSAGE,
    STEP_FIELDS,
    TRAINING_PATH_FIELDS,
    Action,
    ActionPlan,
    ContactLog,
    CostLine,
    DeclaredFacts,
    ExternalService,
    FundingRequest,
    PlanItemChange,
    PlanVersion,
    Step,
    TrainingPath,
    VersionItem,
)
from cep import dates
from cep.audit import log_event, log_parcours_event
from cep.models import AuditEvent, BeneficiaryAccount, Level, Membership, Parcours
from conseil.agreement import mark_agreed, staff_agreement_errors
from conseil.models import AgreementChannel, StrategyOption

# Each kind of item, and the fields add_item takes for it (its field set, next to the model).
ITEM_MODELS = {
    "step": (Step, STEP_FIELDS),
    "action": (Action, ACTION_FIELDS),
    "training": (TrainingPath, TRAINING_PATH_FIELDS),
    "external": (ExternalService, EXTERNAL_SERVICE_FIELDS),
    "cost": (CostLine, COST_LINE_FIELDS),
    "funding": (FundingRequest, FUNDING_REQUEST_FIELDS),
}


def _clean(instance, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _touch(plan_id: int) -> None:
    """Any work on the plan counts as activity (the "plan without activity" alert reads it)."""
    ActionPlan.objects.filter(pk=plan_id).update(updated_at=timezone.now())


def latest_version(plan: ActionPlan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


@transaction.atomic
def ensure_plan(*, membership: Membership, parcours: Parcours) -> ActionPlan:
    """The parcours' plan, created with an empty draft; the strategies the person retained at
    level 2 become its first steps."""
    plan, created = ActionPlan.objects.get_or_create(
        parcours=parcours, defaults={"operator_id": parcours.operator_id}
    )
    if created:
        version = PlanVersion.objects.create(
            operator_id=parcours.operator_id, plan=plan, number=1, created_by=membership
        )
        retained = StrategyOption.objects.filter(parcours=parcours, retained=True)
        for order, option in enumerate(retained, start=1):
            Step.objects.create(
                operator_id=parcours.operator_id,
                version=version,
                order=order,
                title=option.get_kind_display(),
                goal=option.description[:300],
            )
        log_parcours_event(membership, plan, parcours, AuditEvent.Action.CREATE)
    return plan


def on_level_entered(sender, *, parcours, level, membership, **kwargs) -> None:
    if level == Level.ACCOMPAGNEMENT:
        ensure_plan(membership=membership, parcours=parcours)


def _require_in_force(version: PlanVersion) -> None:
    """Carrying the plan out happens on the version in force, never on a revised one."""
    if version.status == PlanVersion.Status.REVISED:
        raise ValidationError(
            "Cette version du plan a été révisée depuis : mettez à jour la version en vigueur."
        )
    version.plan.parcours.require_open()


def editable_draft(plan: ActionPlan) -> PlanVersion:
    version = latest_version(plan)
    if version is None or not version.is_draft:
        raise ValidationError(
            "Ce plan a été validé par la personne : pour le changer, révisez-le en indiquant "
            "pourquoi."
        )
    plan.parcours.require_open()
    return version


FROZEN_MESSAGE = (
    "Cette version du plan a été validée par la personne : elle ne se modifie plus. Pour la "
    "changer, révisez le plan en indiquant pourquoi."
)
TRAINING_LINE_MESSAGE = (
    "Cette ligne est le coût du parcours de formation : elle suit la formation. Modifiez le "
    "coût sur la formation."
)
TRAINING_COST_TYPED_AGAIN = (
    "Le coût de la formation vient du parcours de formation : il ne se saisit pas une seconde "
    "fois. Ajoutez ici les autres frais."
)


def _check_item(item, version: PlanVersion, opened_on: date) -> None:
    """Every rule of an item, each error on its field: its dates first (cep.dates), then the
    model's own validation on the fields not already refused, then the plan's rules."""
    errors = _item_dates(item, opened_on)
    try:
        item.full_clean(exclude=["operator", "version", "training", *errors])
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            errors.setdefault(field, messages_)
    for field, messages_ in _item_rules(item, version).items():
        errors.setdefault(field, messages_)
    if errors:
        raise ValidationError(errors)


def _follow_training(training: TrainingPath, line: CostLine | None = None) -> CostLine:
    """The training's cost line: created with it, its nature, label and amount following it."""
    line = line or CostLine(operator_id=training.operator_id, version=training.version)
    line.training = training
    line.kind = CostLine.Kind.TRAINING
    line.label = training.certification_title[:200]
    line.amount = training.net_cost
    line.save()
    return line


def _requests_above(line: CostLine, amount: Decimal) -> str | None:
    """Why a line cannot cost `amount`: funders already asked or granted more for it."""
    requests = list(line.requests.all()) if line.pk else []
    requested = max((r.amount_requested for r in requests), default=Decimal("0"))
    granted = sum(
        (r.amount_granted for r in requests if r.status == "accordee" and r.amount_granted),
        Decimal("0"),
    )
    if requested > amount or granted > amount:
        return (
            f"Des financeurs sont sollicités pour {euros(max(requested, granted))} sur ce coût : "
            "corrigez d'abord leurs demandes."
        )
    return None


@transaction.atomic
def add_item(*, membership: Membership, plan: ActionPlan, item_type: str, **fields):
    """Add a step, an action, a training, a service, a cost line or a funding request to the
    draft; a training brings its cost line to the funding plan."""
    model, field_set = ITEM_MODELS[item_type]
    if unknown := set(fields) - set(field_set):
        raise TypeError(f"Not a field of {item_type}: {', '.join(sorted(unknown))}")
    version = editable_draft(plan)
    item = model(operator_id=plan.operator_id, version=version, **fields)
    _check_item(item, version, plan.parcours.opened_on)
    item.save()
    if isinstance(item, TrainingPath):
        _follow_training(item)
    history.record(
        membership=membership,
        version=version,
        item=item,
        change=PlanItemChange.Change.CREATED,
        after=history.snapshot(item),
    )
    _touch(plan.pk)
    log_parcours_event(membership, item, plan.parcours, AuditEvent.Action.CREATE)
    return item


def draft_item(*, plan: ActionPlan, item_type: str, pk: int) -> VersionItem:
    """An item of the plan's draft, to correct or remove; an item of an agreed (or revised)
    version is refused with the reason. Another plan's item is not found (404)."""
    model, _ = ITEM_MODELS[item_type]
    item = (
        model.objects.select_related("version__plan__parcours")
        .filter(version__plan=plan, pk=pk)
        .first()
    )
    if item is None:
        raise model.DoesNotExist(f"No {item_type} {pk} in this plan")
    version = latest_version(plan)
    if not item.version.is_draft or version is None or item.version_id != version.pk:
        raise ValidationError(FROZEN_MESSAGE)
    plan.parcours.require_open()
    return item


@transaction.atomic
def update_item(
    *, membership: Membership, plan: ActionPlan, item_type: str, pk: int, **fields: object
) -> VersionItem:
    """Correct an item of the draft; the change is kept in the version's history (what was
    before, what is after). A training's cost line follows the training."""
    _, field_set = ITEM_MODELS[item_type]
    if unknown := set(fields) - set(field_set):
        raise TypeError(f"Not a field of {item_type}: {', '.join(sorted(unknown))}")
    ActionPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one change at a time
    item = draft_item(plan=plan, item_type=item_type, pk=pk)
    if isinstance(item, CostLine) and item.training_id:
        raise ValidationError(TRAINING_LINE_MESSAGE)
    before = history.snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _check_item(item, item.version, plan.parcours.opened_on)
    if isinstance(item, CostLine) and (reason := _requests_above(item, item.amount)):
        raise ValidationError({"amount": [reason]})
    line = getattr(item, "cost_line", None) if isinstance(item, TrainingPath) else None
    if line is not None and (reason := _requests_above(line, item.net_cost)):
        raise ValidationError({"cost": [reason]})
    old, new = history.changed(before, history.snapshot(item))
    if not new:
        return item
    item.save()
    if line is not None:
        _follow_training(item, line)
    history.record(
        membership=membership,
        version=item.version,
        item=item,
        change=PlanItemChange.Change.UPDATED,
        before=old,
        after=new,
    )
    _touch(plan.pk)
    log_parcours_event(membership, item, plan.parcours)
    return item


def removed_with(item: VersionItem) -> list[VersionItem]:
    """What goes with an item removed: a step's actions, a line's funders solicited (a
    training's line and its funders)."""
    if isinstance(item, Step):
        return list(item.actions.all())
    if isinstance(item, TrainingPath):
        line = CostLine.objects.filter(training=item).first()
        return list(line.requests.all()) if line else []
    if isinstance(item, CostLine):
        return list(item.requests.all())
    return []


@transaction.atomic
def delete_item(*, membership: Membership, plan: ActionPlan, item_type: str, pk: int) -> None:
    """Remove an item of the draft, and what depends on it (removed_with); each removal is kept
    in the version's history with the values the item had."""
    ActionPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one change at a time
    item = draft_item(plan=plan, item_type=item_type, pk=pk)
    if isinstance(item, CostLine) and item.training_id:
        raise ValidationError(TRAINING_LINE_MESSAGE)
    version = item.version
    for dependent in removed_with(item):
        history.record(
            membership=membership,
            version=version,
            item=dependent,
            change=PlanItemChange.Change.DELETED,
            before=history.snapshot(dependent),
        )
    history.record(
        membership=membership,
        version=version,
        item=item,
        change=PlanItemChange.Change.DELETED,
        before=history.snapshot(item),
    )
    log_parcours_event(membership, item, plan.parcours, AuditEvent.Action.DELETE)
    item.delete()  # the database cascades to what depends on it
    _touch(plan.pk)


@transaction.atomic
def set_schemes_notes(*, membership: Membership, plan: ActionPlan, notes: str) -> PlanVersion:
    """The schemes and services to mobilise, a text of the draft; emptied, it is removed."""
    version = editable_draft(plan)
    notes = notes.strip()
    if notes == version.schemes_notes:
        return version
    fields = (history.SCHEMES_NOTES,)
    before = history.snapshot(version, fields) if version.schemes_notes else []
    version.schemes_notes = notes
    version.save(update_fields=["schemes_notes"])
    label = str(PlanItemChange.Kind.SCHEMES.label)
    history.record(
        membership=membership,
        version=version,
        item=None,
        kind=PlanItemChange.Kind.SCHEMES,
        label=label,
        change=(
            PlanItemChange.Change.UPDATED
            if before and notes
            else PlanItemChange.Change.CREATED
            if notes
            else PlanItemChange.Change.DELETED
        ),
        before=before,
        after=history.snapshot(version, fields) if notes else [],
    )
    _touch(plan.pk)
    log_parcours_event(membership, version, plan.parcours)
    return version


def _item_dates(item, opened_on: date) -> dict[str, list[str]]:
    """The item's dates, around the parcours (cep.dates)."""
    values = {
        field: getattr(item, field) for field in dates.PLAN_ITEM_DATE_FIELDS if hasattr(item, field)
    }
    try:
        dates.check_plan_item_dates(values, opened_on=opened_on)
    except ValidationError as error:
        return error.message_dict
    return {}


def _item_rules(item, version: PlanVersion) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if isinstance(item, Action) and item.step_id and item.step.version_id != version.pk:
        errors["step"] = ["Choisissez une étape de ce plan."]
    if isinstance(item, TrainingPath | ExternalService) and not item.provider_chosen_by_beneficiary:
        errors["provider_chosen_by_beneficiary"] = [PROVIDER_CHOICE_MESSAGE]
    if isinstance(item, CostLine) and item.kind == CostLine.Kind.TRAINING:
        others = TrainingPath.objects.filter(version=version)
        if others.exists():
            errors["kind"] = [TRAINING_COST_TYPED_AGAIN]
    if isinstance(item, FundingRequest) and item.scheme not in SCHEMES:
        errors["scheme"] = ["Choisissez un financeur dans la liste."]
    if isinstance(item, FundingRequest) and item.cost_line_id:
        if item.cost_line.version_id != version.pk:
            errors["cost_line"] = ["Choisissez une ligne de coût de ce plan."]
        elif item.amount_requested is not None and item.amount_requested > item.cost_line.amount:
            errors["amount_requested"] = [
                f"Le montant demandé dépasse le coût de la ligne ({euros(item.cost_line.amount)})."
            ]
    return errors


@transaction.atomic
def set_action_status(*, membership: Membership, action: Action, status: str) -> Action:
    """Carrying the plan out: allowed on the version in force, agreed or not."""
    if status not in Action.Status.values:
        raise ValidationError({"status": "Choisissez un statut dans la liste."})
    _require_in_force(action.version)
    action.status = status
    action.save(update_fields=["status"])
    _touch(action.version.plan_id)
    log_parcours_event(membership, action, action.version.plan.parcours)
    return action


@transaction.atomic
def record_follow_up(
    *, membership: Membership, external_service: ExternalService, notes: str
) -> ExternalService:
    """Follow-up of an external service: the operator stays responsible for the parcours."""
    _require_in_force(external_service.version)
    if not notes.strip():
        raise ValidationError({"follow_up_notes": "Écrivez le suivi de la prestation."})
    external_service.follow_up_notes = notes.strip()
    external_service.save(update_fields=["follow_up_notes"])
    _touch(external_service.version.plan_id)
    log_parcours_event(membership, external_service, external_service.version.plan.parcours)
    return external_service


@transaction.atomic
def record_funding_answer(
    *,
    membership: Membership,
    request: FundingRequest,
    status: str,
    contacted_on: date | None = None,
    amount_granted: Decimal | None = None,
    note: str = "",
) -> FundingRequest:
    """A funder's answer, or the date it was solicited; granted amounts never exceed the cost."""
    request = (
        FundingRequest.objects.select_for_update(of=("self",))
        .select_related("cost_line", "version__plan__parcours")
        .get(pk=request.pk)
    )
    _require_in_force(request.version)
    errors: dict[str, str] = {}
    if status not in FundingRequest.Status.values:
        errors["status"] = "Choisissez un statut dans la liste."
    if status == FundingRequest.Status.GRANTED:
        if amount_granted is None:
            errors["amount_granted"] = "Indiquez le montant accordé."
        elif amount_granted < 0:
            errors["amount_granted"] = "Un montant ne peut pas être négatif."
        else:
            others = sum(
                (
                    other.amount_granted
                    for other in request.cost_line.requests.exclude(pk=request.pk)
                    if other.status == FundingRequest.Status.GRANTED and other.amount_granted
                ),
                Decimal("0"),
            )
            if others + amount_granted > request.cost_line.amount:
                errors["amount_granted"] = (
                    f"Les montants accordés dépasseraient le coût de la ligne "
                    f"({euros(request.cost_line.amount)}) : {euros(others)} sont déjà accordés."
                )
    elif amount_granted is not None:
        errors["amount_granted"] = "Un montant accordé suppose une demande accordée."
    try:
        dates.check_recorded_act(
            "contacted_on", contacted_on, opened_on=request.version.plan.parcours.opened_on
        )
    except ValidationError as error:
        errors["contacted_on"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    if status == FundingRequest.Status.REQUESTED and contacted_on is None:
        # A request is dated, or it could never raise the "no answer" alert.
        contacted_on = request.contacted_on or timezone.localdate()
    request.status = status
    request.amount_granted = amount_granted if status == FundingRequest.Status.GRANTED else None
    request.contacted_on = contacted_on or request.contacted_on
    request.note = note.strip() or request.note
    request.save(update_fields=["status", "amount_granted", "contacted_on", "note"])
    _touch(request.version.plan_id)
    log_parcours_event(membership, request, request.version.plan.parcours)
    return request


@transaction.atomic
def override_verdict(
    *, membership: Membership, request: FundingRequest, eligible: bool | None, reason: str
) -> FundingRequest:
    """The rules advise; the counsellor decides, in writing."""
    _require_in_force(request.version)
    if eligible is not None and not reason.strip():
        raise ValidationError({"override_reason": "Écrivez pourquoi vous ne suivez pas la règle."})
    request.override_eligible = eligible
    request.override_reason = reason.strip() if eligible is not None else ""
    request.save(update_fields=["override_eligible", "override_reason"])
    log_parcours_event(membership, request, request.version.plan.parcours)
    return request


def _plan_agreement_errors(version: PlanVersion) -> dict:
    if not version.steps.exists():
        return {"agreed_on": "Un plan sans étape ne peut pas être validé."}
    return {}


@transaction.atomic
def record_plan_agreement(
    *, membership: Membership, plan: ActionPlan, agreed_on: date, channel: str
) -> PlanVersion:
    """The person agreed to the draft in an interview or remotely: the counsellor records it."""
    ActionPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one agreement at a time
    version = editable_draft(plan)
    errors = staff_agreement_errors(version, agreed_on, channel) | _plan_agreement_errors(version)
    if errors:
        raise ValidationError(errors)
    mark_agreed(
        version,
        in_force=plan.versions.all(),
        agreed_on=agreed_on,
        channel=channel,
        recorded_by=membership,
    )
    log_parcours_event(membership, version, plan.parcours)
    return version


@transaction.atomic
def agree_plan_from_space(
    *, account: BeneficiaryAccount, version: PlanVersion, ip_address: str | None = None
) -> PlanVersion:
    """The person agrees to the draft of their action plan from their own space."""
    plan = ActionPlan.objects.select_for_update().get(
        pk=version.plan_id, parcours__beneficiary=account.beneficiary
    )
    draft = editable_draft(plan)
    if draft.pk != version.pk:
        raise ValidationError("Une version plus récente du plan existe : validez celle-ci.")
    errors = _plan_agreement_errors(draft)
    if errors:
        raise ValidationError(errors)
    mark_agreed(
        draft,
        in_force=plan.versions.all(),
        agreed_on=timezone.localdate(),
        channel=AgreementChannel.BENEFICIARY_SPACE,
        account=account,
    )
    _touch(plan.pk)
    log_event(
        membership=None,
        operator_id=plan.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=draft,
        beneficiary=account.beneficiary,
        ip_address=ip_address,
        details={"accord": "espace_beneficiaire"},
    )
    return draft


@transaction.atomic
def revise_plan(*, membership: Membership, plan: ActionPlan, reason: str) -> PlanVersion:
    """A new draft copied from the agreed version, every item keeping its key; the agreed
    version stays as it was."""
    ActionPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one revision at a time
    plan.parcours.require_open()
    current = latest_version(plan)
    if current is None or current.is_draft:
        raise ValidationError({"reason": "Le brouillon en cours se modifie directement."})
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez ce qui a changé et justifie la révision."})
    draft = PlanVersion.objects.create(
        operator_id=plan.operator_id,
        plan=plan,
        number=current.number + 1,
        revision_reason=reason.strip(),
        schemes_notes=current.schemes_notes,
        created_by=membership,
    )
    steps = {}
    for step in current.steps.all():
        old_pk = step.pk
        step.pk, step.version = None, draft
        step.save()
        steps[old_pk] = step
    for action in current.actions.all():
        action.pk, action.version, action.step = None, draft, steps[action.step_id]
        action.save()
    trainings = {}
    for model in (TrainingPath, ExternalService):
        for item in model.objects.filter(version=current):
            old_pk = item.pk
            item.pk, item.version = None, draft
            item.save()
            trainings[(model, old_pk)] = item
    lines = {}
    for line in current.cost_lines.all():
        old_pk = line.pk
        line.pk, line.version = None, draft
        if line.training_id:
            line.training = trainings[(TrainingPath, line.training_id)]
        line.save()
        lines[old_pk] = line
    for request in current.funding_requests.all():
        request.pk, request.version, request.cost_line = None, draft, lines[request.cost_line_id]
        request.save()
    _touch(plan.pk)
    log_parcours_event(membership, draft, plan.parcours, AuditEvent.Action.CREATE)
    return draft


@transaction.atomic
def save_declared_facts(*, membership: Membership, parcours: Parcours, **facts) -> DeclaredFacts:
    if unknown := set(facts) - set(DECLARED_FACTS_FIELDS):
        raise TypeError(f"Not a declared fact: {', '.join(sorted(unknown))}")
    parcours.require_open()
    declared, _ = DeclaredFacts.objects.get_or_create(
        parcours=parcours, defaults={"operator_id": parcours.operator_id}
    )
    for name, value in facts.items():
        setattr(declared, name, value)
    _clean(declared, exclude=["operator", "parcours"])
    declared.save()
    log_parcours_event(membership, declared, parcours)
    return declared


@transaction.atomic
def log_contact(
    *,
    membership: Membership,
    plan: ActionPlan,
    contacted_on: date,
    counterpart: str,
    subject: str,
    notes: str,
) -> ContactLog:
    plan.parcours.require_open()
    contact = ContactLog(
        operator_id=plan.operator_id,
        plan=plan,
        contacted_on=contacted_on,
        counterpart=counterpart.strip(),
        subject=subject,
        notes=notes.strip(),
        recorded_by=membership,
    )
    _clean(contact, exclude=["operator", "plan", "recorded_by"])
    dates.check_recorded_act("contacted_on", contacted_on, opened_on=plan.parcours.opened_on)
    contact.save()
    log_parcours_event(membership, contact, plan.parcours, AuditEvent.Action.CREATE)
    return contact
