from decimal import Decimal

import factory
from django.utils import timezone

from accompagnement.models import (
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
)
from tests.factories import SAME_OPERATOR, OperatorFactory, ParcoursFactory, TenantFactory


class Level3ParcoursFactory(ParcoursFactory):
    entry_level = 3


class ActionPlanFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = ActionPlan
        django_get_or_create = ("parcours",)

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level3ParcoursFactory, operator=SAME_OPERATOR)


class PlanVersionFactory(TenantFactory):
    _parent_field = "plan"

    class Meta:
        model = PlanVersion

    operator = factory.SubFactory(OperatorFactory)
    plan = factory.SubFactory(ActionPlanFactory, operator=SAME_OPERATOR)
    number = factory.Sequence(lambda n: n + 100)
    created_by = factory.SelfAttribute("plan.parcours.referent")


class StepFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = Step

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    title = factory.Sequence(lambda n: f"Étape {n}")


class ActionFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = Action

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    step = factory.SubFactory(
        StepFactory, operator=SAME_OPERATOR, version=factory.SelfAttribute("..version")
    )
    description = factory.Sequence(lambda n: f"Action {n}")
    actor = Action.Actor.BENEFICIARY


class TrainingPathFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = TrainingPath

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    provider_name = "Institut de formation fictif"
    provider_chosen_by_beneficiary = True
    certification_title = "Titre professionnel fictif"
    modality = TrainingPath.Modality.ON_SITE
    cost = Decimal("4500.00")


class ExternalServiceFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = ExternalService

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    kind = ExternalService.Kind.SKILLS_ASSESSMENT
    provider_name = "Centre de bilan fictif"
    provider_chosen_by_beneficiary = True
    expected_results = "Confirmer le projet."


class CostLineFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = CostLine

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    kind = CostLine.Kind.TRAINING
    label = factory.Sequence(lambda n: f"Coût {n}")
    amount = Decimal("1000.00")


class FundingRequestFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = FundingRequest

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    cost_line = factory.SubFactory(
        CostLineFactory, operator=SAME_OPERATOR, version=factory.SelfAttribute("..version")
    )
    scheme = "cpf"
    amount_requested = Decimal("500.00")


class DeclaredFactsFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = DeclaredFacts

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level3ParcoursFactory, operator=SAME_OPERATOR)


class ContactLogFactory(TenantFactory):
    _parent_field = "plan"

    class Meta:
        model = ContactLog

    operator = factory.SubFactory(OperatorFactory)
    plan = factory.SubFactory(ActionPlanFactory, operator=SAME_OPERATOR)
    contacted_on = factory.LazyFunction(timezone.localdate)
    counterpart = "Transitions Pro"
    subject = ContactLog.Subject.COST
    notes = "Demande de prise en charge."
    recorded_by = factory.SelfAttribute("plan.parcours.referent")


class PlanItemChangeFactory(TenantFactory):
    _parent_field = "version"

    class Meta:
        model = PlanItemChange

    operator = factory.SubFactory(OperatorFactory)
    version = factory.SubFactory(PlanVersionFactory, operator=SAME_OPERATOR)
    item_kind = PlanItemChange.Kind.STEP
    item_label = "Étape corrigée"
    change = PlanItemChange.Change.UPDATED
    membership = factory.SelfAttribute("version.plan.parcours.referent")
    before = factory.LazyFunction(
        lambda: [{"field": "title", "label": "Étape", "value": "Avant", "shown": "Avant"}]
    )
    after = factory.LazyFunction(
        lambda: [{"field": "title", "label": "Étape", "value": "Après", "shown": "Après"}]
    )
