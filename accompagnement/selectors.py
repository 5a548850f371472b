from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accompagnement.costs import FundingSummary, summarize
from accompagnement.funding_rules import REGISTERED_JOB_SEEKER_STATUSES, parameter_history
from accompagnement.models import (
    Action,
    ActionPlan,
    CostLine,
    DeclaredFacts,
    FundingRequest,
    PlanItemChange,
    PlanVersion,
    Step,
)
from cep.home import Alert
from cep.models import Membership, Parcours


def plan_of(parcours: Parcours) -> ActionPlan:
    return get_object_or_404(ActionPlan, parcours=parcours)


def version_page(plan: ActionPlan, number: int | None = None) -> PlanVersion:
    """A version with everything its page shows, in a fixed number of queries."""
    versions = PlanVersion.objects.filter(plan=plan).select_related("agreement_recorded_by__user")
    version = (
        get_object_or_404(versions, number=number)
        if number is not None
        else versions.order_by("-number").first()
    )
    return version_with_items(version.pk)


def version_with_items(pk: int) -> PlanVersion:
    """A plan version with its steps, actions, training, services, costs and funders."""
    return (
        PlanVersion.objects.filter(pk=pk)
        .select_related("agreement_recorded_by__user")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=Step.objects.prefetch_related(
                    Prefetch("actions", queryset=Action.objects.order_by("due_date", "pk"))
                ).order_by("order", "pk"),
            ),
            "trainings",
            "external_services",
            Prefetch("cost_lines", queryset=CostLine.objects.order_by("pk")),
            Prefetch("funding_requests", queryset=FundingRequest.objects.order_by("pk")),
        )
        .get()
    )


def plan_history(plan: ActionPlan, first: int, last: int) -> list[PlanItemChange]:
    """The corrections made to the versions numbered `first` to `last` while they were drafts,
    oldest first: one query, whatever their number (the values are stored already shown)."""
    return list(
        PlanItemChange.objects.filter(
            version__plan=plan, version__number__gte=first, version__number__lte=last
        )
        .select_related("version", "membership__user")
        .order_by("changed_at", "pk")
    )


def declared_facts(parcours: Parcours) -> DeclaredFacts | None:
    """What the person declared for the funding plan, if they did."""
    return DeclaredFacts.objects.filter(parcours=parcours).first()


def funding_summary(
    version: PlanVersion, declared: DeclaredFacts | None, *, beneficiary
) -> FundingSummary:
    """The funding plan's figures. The CPF flat participation is added where the CPF alone
    pays for a line, at the amount in force when the CPF was solicited (today if not said),
    unless the person is a registered job seeker or their employer tops up."""
    waived = beneficiary.employment_status in REGISTERED_JOB_SEEKER_STATUSES or bool(
        declared and declared.employer_tops_up
    )
    participation = None
    if not waived:
        in_force = parameter_history("cpf_participation")
        today = timezone.localdate()

        def participation(request) -> Decimal:
            return in_force(request.contacted_on or today)

    return summarize(
        version.cost_lines.all(),
        version.funding_requests.all(),
        declared.can_pay if declared else None,
        cpf_participation=participation,
    )


def timeline(version: PlanVersion) -> list[tuple]:
    """Steps and actions on one dated line (undated ones last)."""
    items = [(step.target_date, "Étape", step.title) for step in version.steps.all()]
    items += [
        (action.due_date, "Action", action.description)
        for step in version.steps.all()
        for action in step.actions.all()
    ]
    return sorted(items, key=lambda item: (item[0] is None, item[0] or timezone.localdate()))


def alerts(membership: Membership) -> list[Alert]:
    """For the parcours this membership follows: overdue actions, funders silent for too long,
    plans without activity."""
    today = timezone.localdate()
    followed = ActionPlan.objects.filter(
        parcours__referent=membership, parcours__closed_on__isnull=True
    )
    # Only the version in force (the latest) counts: a revision's copies are not new alerts.
    in_force = Subquery(
        PlanVersion.objects.filter(plan=OuterRef("version__plan"))
        .order_by("-number")
        .values("pk")[:1]
    )
    found: list[Alert] = []

    def url(plan_parcours_id):
        return reverse("accompagnement:plan", kwargs={"parcours_pk": plan_parcours_id})

    overdue = (
        Action.objects.filter(
            version__plan__in=followed,
            status__in=[Action.Status.TODO, Action.Status.IN_PROGRESS],
            due_date__lt=today,
        )
        .filter(version_id=in_force)
        .select_related("version__plan__parcours__beneficiary")[:20]
    )
    for action in overdue:
        parcours = action.version.plan.parcours
        found.append(
            Alert(
                "Action en retard",
                f"{parcours.beneficiary.full_name} : « {action.description} » "
                f"(échéance {action.due_date:%d/%m/%Y})",
                url(parcours.pk),
            )
        )
    silent = (
        FundingRequest.objects.filter(
            version__plan__in=followed,
            status=FundingRequest.Status.REQUESTED,
            contacted_on__lt=today - timedelta(days=settings.FUNDING_ANSWER_ALERT_DAYS),
        )
        .filter(version_id=in_force)
        .select_related("version__plan__parcours__beneficiary")[:20]
    )
    for request in silent:
        parcours = request.version.plan.parcours
        found.append(
            Alert(
                "Financement sans réponse",
                f"{parcours.beneficiary.full_name} : demande du {request.contacted_on:%d/%m/%Y} "
                "toujours sans réponse",
                url(parcours.pk),
            )
        )
    idle = followed.filter(
        updated_at__lt=timezone.now() - timedelta(days=settings.PLAN_INACTIVITY_ALERT_DAYS)
    ).select_related("parcours__beneficiary")[:20]
    for plan in idle:
        found.append(
            Alert(
                "Plan sans activité",
                f"{plan.parcours.beneficiary.full_name} : rien depuis le "
                f"{timezone.localtime(plan.updated_at):%d/%m/%Y}",
                url(plan.parcours_id),
            )
        )
    return found


def agreed_plan_version(parcours: Parcours) -> PlanVersion | None:
    """The plan version the person agreed to, if any (the synthèse reports it)."""
    return PlanVersion.objects.filter(
        plan__parcours=parcours, status=PlanVersion.Status.AGREED
    ).first()
