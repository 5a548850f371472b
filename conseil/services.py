"""Level-2 writes. Each is one transaction, takes the acting membership and writes the audit trail.

Co-construction: the project and the strategy are the person's; a version counts as agreed only
when their agreement is recorded (date and how it was given).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cep import dates
from cep.audit import log_event, log_parcours_event
from cep.models import (
    AuditEvent,
    BeneficiaryAccount,
    Level,
    Membership,
    Parcours,
    ReferentAssignment,
)
from cep.referentials.models import RomeJob, RomeSkill
from cep.signals import parcours_level_entered
from conseil.agreement import mark_agreed, staff_agreement_errors
from conseil.models import (
    AgreementChannel,
    DemandClarification,
    HeldSkill,
    ProjectVersion,
    StrategyOption,
    TrainingNeed,
)


def _require_level_2(parcours: Parcours) -> None:
    parcours.require_open()
    if parcours.current_level < Level.CONSEIL:
        raise ValidationError(
            "Ce parcours est encore au niveau 1 : la personne doit d'abord décider de poursuivre."
        )


@transaction.atomic
def reassign_referent(
    *, membership: Membership, parcours: Parcours, referent: Membership, reason: str
) -> Parcours:
    """A new référent follows the person; the history keeps who followed them before."""
    errors = {}
    if referent.operator_id != membership.operator_id or not referent.is_active:
        errors["referent"] = "Choisissez un conseiller actif de votre structure."
    elif referent.pk == parcours.referent_id:
        errors["referent"] = "Cette personne est déjà le référent du parcours."
    if not reason.strip():
        errors["reason"] = "Indiquez le motif du changement de référent."
    if errors:
        raise ValidationError(errors)
    _require_level_2(parcours)
    parcours.referent = referent
    parcours.save(update_fields=["referent"])
    ReferentAssignment.objects.create(
        operator_id=membership.operator_id,
        parcours=parcours,
        referent=referent,
        assigned_by=membership,
        reason=reason.strip(),
    )
    log_parcours_event(membership, parcours, parcours)
    return parcours


@transaction.atomic
def clarify_demand(
    *,
    membership: Membership,
    parcours: Parcours,
    priorities: str,
    autonomy: str,
    project_maturity: str,
    constraints: str = "",
) -> DemandClarification:
    _require_level_2(parcours)
    clarification = DemandClarification(
        operator_id=membership.operator_id,
        parcours=parcours,
        priorities=priorities.strip(),
        constraints=constraints.strip(),
        autonomy=autonomy,
        project_maturity=project_maturity,
        recorded_by=membership,
    )
    try:
        clarification.full_clean(exclude=["operator", "parcours", "recorded_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    clarification.save()
    # The parcours carries the current degree, read by lists and indicators.
    parcours.autonomy = autonomy
    parcours.project_maturity = project_maturity
    parcours.save(update_fields=["autonomy", "project_maturity"])
    log_parcours_event(membership, clarification, parcours, AuditEvent.Action.CREATE)
    return clarification


@transaction.atomic
def add_held_skill(
    *,
    membership: Membership,
    parcours: Parcours,
    source: str,
    rome_skill: RomeSkill | None = None,
    free_label: str = "",
    from_job: RomeJob | None = None,
    transferable: bool = False,
) -> HeldSkill:
    _require_level_2(parcours)
    free_label = free_label.strip()
    if (rome_skill is None) == (not free_label):
        raise ValidationError(
            {"free_label": "Choisissez une compétence du ROME ou écrivez-la, pas les deux."}
        )
    if source not in HeldSkill.Source.values:
        raise ValidationError({"source": "Indiquez d'où vient cette compétence."})
    if rome_skill is not None and parcours.held_skills.filter(rome_skill=rome_skill).exists():
        raise ValidationError({"rome_skill": f"« {rome_skill.label} » est déjà notée."})
    skill = HeldSkill.objects.create(
        operator_id=membership.operator_id,
        parcours=parcours,
        rome_skill=rome_skill,
        free_label=free_label,
        source=source,
        from_job=from_job,
        transferable=transferable,
    )
    log_parcours_event(membership, skill, parcours, AuditEvent.Action.CREATE)
    return skill


@transaction.atomic
def add_skills_from_job(
    *,
    membership: Membership,
    parcours: Parcours,
    job: RomeJob,
    skills: list[RomeSkill],
    transferable: bool = True,
) -> list[HeldSkill]:
    """The skills ticked among those of a past job; the ones already noted are left as they are."""
    _require_level_2(parcours)
    if not skills:
        raise ValidationError({"skills": "Cochez au moins une compétence."})
    job_skills = set(job.skill_links.values_list("skill_id", flat=True))
    if any(skill.pk not in job_skills for skill in skills):
        raise ValidationError(
            {"skills": f"Ces compétences ne sont pas celles du métier {job.code}."}
        )
    known = set(
        parcours.held_skills.filter(rome_skill__in=skills).values_list("rome_skill_id", flat=True)
    )
    created = HeldSkill.objects.bulk_create(
        [
            HeldSkill(
                operator_id=membership.operator_id,
                parcours=parcours,
                rome_skill=skill,
                source=HeldSkill.Source.EXPERIENCE,
                from_job=job,
                transferable=transferable,
            )
            for skill in skills
            if skill.pk not in known
        ]
    )
    log_event(
        membership=membership,
        action=AuditEvent.Action.CREATE,
        obj=parcours,
        beneficiary=parcours.beneficiary,
        details={"held_skills_from_job": job.code, "added": len(created)},
    )
    return created


@transaction.atomic
def remove_held_skill(*, membership: Membership, held_skill: HeldSkill) -> None:
    parcours = held_skill.parcours
    _require_level_2(parcours)
    log_parcours_event(membership, held_skill, parcours, AuditEvent.Action.DELETE)
    held_skill.delete()


@transaction.atomic
def add_training_need(
    *, membership: Membership, parcours: Parcours, target_job: RomeJob, rome_skill: RomeSkill
) -> TrainingNeed:
    _require_level_2(parcours)
    try:
        with transaction.atomic():
            need = TrainingNeed.objects.create(
                operator_id=membership.operator_id,
                parcours=parcours,
                target_job=target_job,
                rome_skill=rome_skill,
            )
    except IntegrityError:
        raise ValidationError(
            {"rome_skill": f"« {rome_skill.label} » est déjà un besoin de formation."}
        ) from None
    log_parcours_event(membership, need, parcours, AuditEvent.Action.CREATE)
    return need


def current_project(parcours: Parcours) -> ProjectVersion | None:
    return parcours.project_versions.order_by("-number").first()


@transaction.atomic
def save_project(
    *,
    membership: Membership,
    parcours: Parcours,
    project_type: str,
    description: str,
    target_jobs: list[RomeJob],
    feasibility: str = "",
    market_notes: str = "",
    prerequisites_notes: str = "",
    constraints_notes: str = "",
    funding_notes: str = "",
    opportunities: str = "",
    revision_reason: str = "",
) -> ProjectVersion:
    """Edit the draft, or, when the latest version was agreed, start the next version from it."""
    _require_level_2(parcours)
    Parcours.objects.select_for_update().filter(pk=parcours.pk).first()
    latest = current_project(parcours)
    values = {
        "project_type": project_type,
        "description": description.strip(),
        "feasibility": feasibility,
        "market_notes": market_notes.strip(),
        "prerequisites_notes": prerequisites_notes.strip(),
        "constraints_notes": constraints_notes.strip(),
        "funding_notes": funding_notes.strip(),
        "opportunities": opportunities.strip(),
        "revision_reason": revision_reason.strip(),
    }
    # A version after an agreed one always says why it changed, while a draft too.
    follows_agreed = latest is not None and (latest.is_agreed or latest.number > 1)
    if follows_agreed and not values["revision_reason"]:
        raise ValidationError(
            {"revision_reason": "Le projet validé par la personne change : indiquez pourquoi."}
        )
    if latest is None or latest.is_agreed:
        version = ProjectVersion(
            operator_id=membership.operator_id,
            parcours=parcours,
            number=(latest.number + 1) if latest else 1,
            created_by=membership,
            **values,
        )
    else:
        version = latest
        for name, value in values.items():
            setattr(version, name, value)
    try:
        version.full_clean(
            exclude=["operator", "parcours", "created_by", "agreement_recorded_by", "number"]
        )
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    version.save()
    version.target_jobs.set(target_jobs)
    log_parcours_event(membership, version, parcours)
    return version


@transaction.atomic
def record_project_agreement(
    *, membership: Membership, version: ProjectVersion, agreed_on: date, channel: str
) -> ProjectVersion:
    """The person agreed to this version in an interview or remotely: the counsellor records it
    with its date and how it was given."""
    version = ProjectVersion.objects.select_for_update().get(pk=version.pk)
    _require_level_2(version.parcours)
    errors = staff_agreement_errors(version, agreed_on, channel)
    if version.is_agreed:
        errors["agreed_on"] = "Cette version est déjà validée."
    if errors:
        raise ValidationError(errors)
    mark_agreed(
        version,
        in_force=ProjectVersion.objects.filter(parcours=version.parcours),
        agreed_on=agreed_on,
        channel=channel,
        recorded_by=membership,
    )
    log_parcours_event(membership, version, version.parcours)
    return version


@transaction.atomic
def agree_project_from_space(
    *, account: BeneficiaryAccount, version: ProjectVersion, ip_address: str | None = None
) -> ProjectVersion:
    """The person agrees to the draft of their project from their own space."""
    version = ProjectVersion.objects.select_for_update().get(
        pk=version.pk, parcours__beneficiary=account.beneficiary
    )
    _require_level_2(version.parcours)
    if version.pk != current_project(version.parcours).pk:
        raise ValidationError("Une version plus récente du projet existe : validez celle-ci.")
    mark_agreed(
        version,
        in_force=ProjectVersion.objects.filter(parcours=version.parcours),
        agreed_on=timezone.localdate(),
        channel=AgreementChannel.BENEFICIARY_SPACE,
        account=account,
    )
    log_event(
        membership=None,
        operator_id=version.operator_id,
        action=AuditEvent.Action.UPDATE,
        obj=version,
        beneficiary=account.beneficiary,
        ip_address=ip_address,
        details={"accord": "espace_beneficiaire"},
    )
    return version


@transaction.atomic
def add_strategy_option(
    *,
    membership: Membership,
    parcours: Parcours,
    kind: str,
    description: str,
    pros: str = "",
    cons: str = "",
) -> StrategyOption:
    _require_level_2(parcours)
    option = StrategyOption(
        operator_id=membership.operator_id,
        parcours=parcours,
        kind=kind,
        description=description.strip(),
        pros=pros.strip(),
        cons=cons.strip(),
        created_by=membership,
    )
    try:
        option.full_clean(exclude=["operator", "parcours", "created_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    option.save()
    log_parcours_event(membership, option, parcours, AuditEvent.Action.CREATE)
    return option


@transaction.atomic
def set_strategy_retained(
    *, membership: Membership, option: StrategyOption, retained: bool, on: date | None = None
) -> StrategyOption:
    """The person retains (or gives up) a strategy; several may be retained together. Once the
    parcours is at level 3 the strategy lives in the action plan and is revised there."""
    _require_level_2(option.parcours)
    if option.parcours.current_level != Level.CONSEIL:
        raise ValidationError("Le parcours est au niveau 3 : la stratégie se révise dans le plan.")
    if retained and on is not None:
        dates.check_recorded_act("retained_on", on, opened_on=option.parcours.opened_on)
    option.retained = retained
    option.retained_on = (on or timezone.localdate()) if retained else None
    option.save(update_fields=["retained", "retained_on"])
    log_parcours_event(membership, option, option.parcours)
    return option


@transaction.atomic
def move_to_level_3(*, membership: Membership, parcours: Parcours) -> Parcours:
    """Level 3 starts from an agreed project and at least one retained strategy."""
    parcours = Parcours.objects.select_for_update().get(pk=parcours.pk)
    _require_level_2(parcours)
    if parcours.current_level != Level.CONSEIL:
        raise ValidationError("Ce parcours est déjà au niveau 3.")
    if not parcours.project_versions.exclude(status=ProjectVersion.Status.DRAFT).exists():
        raise ValidationError("Le projet doit d'abord être validé par la personne.")
    if not parcours.strategy_options.filter(retained=True).exists():
        raise ValidationError("La personne doit d'abord retenir au moins une stratégie.")
    parcours.current_level = Level.ACCOMPAGNEMENT
    parcours.level_3_on = timezone.localdate()
    parcours.save(update_fields=["current_level", "level_3_on"])
    log_parcours_event(membership, parcours, parcours)
    parcours_level_entered.send(
        sender=Parcours, parcours=parcours, level=Level.ACCOMPAGNEMENT, membership=membership
    )
    return parcours
