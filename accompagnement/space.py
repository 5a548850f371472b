"""Level 3 in the beneficiary space: my plan as agreed, the draft waiting for my agreement, and
my next actions."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accompagnement import services
from accompagnement.models import (
    Action,
    ContactLog,
    ExternalService,
    FundingRequest,
    PlanItemChange,
    PlanVersion,
    Step,
)
from cep.models import BeneficiaryAccount
from cep.registries import (
    ERASED,
    SpaceSection,
    register_anonymiser,
    register_retention_check,
    register_space_section,
)
from cep.space.actions import agree_and_return, ask_changes_and_return
from cep.space.models import BeneficiaryRequest
from cep.space.views import BeneficiarySpaceMixin


def plan_context(account: BeneficiaryAccount) -> dict:
    versions = list(
        PlanVersion.objects.filter(
            plan__parcours__beneficiary=account.beneficiary,
            plan__parcours__closed_on__isnull=True,
        )
        .exclude(status=PlanVersion.Status.REVISED)
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=Step.objects.prefetch_related(
                    Prefetch("actions", queryset=Action.objects.order_by("due_date", "pk"))
                ).order_by("order", "pk"),
            ),
            "trainings",
        )
        .order_by("-number")
    )
    agreed = next((v for v in versions if v.status == PlanVersion.Status.AGREED), None)
    draft = next((v for v in versions if v.is_draft), None)
    next_actions = []
    if agreed is not None:
        next_actions = [
            action
            for step in agreed.steps.all()
            for action in step.actions.all()
            if action.status in (Action.Status.TODO, Action.Status.IN_PROGRESS)
        ]
        next_actions.sort(key=lambda a: (a.due_date is None, a.due_date or a.pk))
    return {"agreed": agreed, "draft": draft, "next_actions": next_actions[:5]}


class PlanVersionMixin(BeneficiarySpaceMixin):
    def version(self, pk: int) -> PlanVersion:
        return get_object_or_404(
            PlanVersion.objects.select_related("plan__parcours"),
            pk=pk,
            plan__parcours__beneficiary=self.account.beneficiary,
        )


class AgreePlanView(PlanVersionMixin):
    def post(self, request, planversion_pk):
        version = self.version(planversion_pk)
        return agree_and_return(request, services.agree_plan_from_space, version=version)


class AskPlanChangesView(PlanVersionMixin):
    def post(self, request, planversion_pk):
        version = self.version(planversion_pk)
        return ask_changes_and_return(
            request, kind=BeneficiaryRequest.Kind.PLAN_CHANGES, parcours=version.plan.parcours
        )


def anonymise(beneficiary) -> None:
    mine = {"version__plan__parcours__beneficiary": beneficiary}
    Step.objects.filter(**mine).update(goal="")
    Action.objects.filter(**mine).update(description=ERASED)
    ExternalService.objects.filter(**mine).update(expected_results=ERASED, follow_up_notes="")
    FundingRequest.objects.filter(**mine).update(note="", override_reason="")
    PlanVersion.objects.filter(plan__parcours__beneficiary=beneficiary).update(
        schemes_notes="", revision_reason=""
    )
    ContactLog.objects.filter(plan__parcours__beneficiary=beneficiary).update(notes=ERASED)
    # The drafts' history keeps the items' texts as they were: only its kinds, dates and
    # authors stay.
    PlanItemChange.objects.filter(**mine).update(item_label=ERASED, before=[], after=[])


def funding_retention(beneficiaries) -> dict[int, str]:
    """A granted public funding is kept for the funders' controls."""
    years = settings.ERASURE_FUNDING_RETENTION_YEARS
    since = timezone.now() - timedelta(days=365 * years)
    kept = FundingRequest.objects.filter(
        version__plan__parcours__beneficiary__in=beneficiaries,
        status=FundingRequest.Status.GRANTED,
        version__plan__updated_at__gte=since,
    ).values_list("version__plan__parcours__beneficiary_id", flat=True)
    reason = (
        f"Un financement a été accordé il y a moins de {years} ans : le dossier est conservé "
        "pour les contrôles des financeurs."
    )
    return dict.fromkeys(kept, reason)


def register_space() -> None:
    register_anonymiser(anonymise)
    register_retention_check(funding_retention)
    register_space_section(SpaceSection("plan", 40, "accompagnement/space/plan.html", plan_context))
