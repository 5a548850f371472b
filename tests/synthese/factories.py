from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accompagnement.models import PlanVersion
from cep.models import Consent, Service
from synthese.models import SynthesisDocument
from tests.accompagnement.factories import (
    ActionFactory,
    ActionPlanFactory,
    CostLineFactory,
    FundingRequestFactory,
    PlanVersionFactory,
    StepFactory,
    TrainingPathFactory,
)
from tests.conseil.factories import (
    Level2ParcoursFactory,
    ProjectVersionFactory,
    StrategyOptionFactory,
)
from tests.factories import (
    SAME_OPERATOR,
    BeneficiaryFactory,
    ConsentFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    TenantFactory,
)


class SynthesisDocumentFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = SynthesisDocument

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level2ParcoursFactory, operator=SAME_OPERATOR)
    number = factory.Sequence(lambda n: n + 1)
    project_version = factory.SubFactory(
        ProjectVersionFactory,
        operator=SAME_OPERATOR,
        parcours=factory.SelfAttribute("..parcours"),
        agreed=True,
    )
    requested_by = factory.SelfAttribute("parcours.referent")


PROJECT_TEXT = "Devenir technicienne de maintenance d'éoliennes dans le Morbihan."
STEP_TITLE = "Vérifier le projet auprès de professionnels"
ACTION_TEXT = "Réaliser une immersion de deux semaines dans un parc éolien"
TRAINING_TITLE = "Titre professionnel technicien de maintenance d'éoliennes"
STRATEGY_TEXT = "Formation qualifiante financée par le projet de transition professionnelle."
CONFIDENTIAL_NOTE = "Note confidentielle du conseiller : ne pas publier."


def agreed_parcours(*, operator=None, services: int = 2, actions: int = 1, email: str = ""):
    """A level-3 parcours as the synthèse expects it: services received, an agreed project, a
    retained strategy and an agreed plan with a step, actions, a training and its funding."""
    operator = operator or OperatorFactory()
    beneficiary = BeneficiaryFactory(
        operator=operator, first_name="Maëlle", last_name="Kerbrat", email=email
    )
    parcours = ParcoursFactory(
        beneficiary=beneficiary,
        entry_level=2,
        current_level=3,
        opened_on=timezone.localdate() - timedelta(days=60),
    )
    for i in range(services):
        ServiceFactory(
            parcours=parcours,
            level=2,
            channel=Service.Channel.VIDEO if i % 2 else Service.Channel.ON_SITE,
            delivered_on=parcours.opened_on + timedelta(days=i),
            notes=CONFIDENTIAL_NOTE,
        )
    ProjectVersionFactory(parcours=parcours, number=1, description=PROJECT_TEXT, agreed=True)
    StrategyOptionFactory(
        parcours=parcours,
        description=STRATEGY_TEXT,
        retained=True,
        retained_on=timezone.localdate(),
    )
    plan = ActionPlanFactory(parcours=parcours)
    version = PlanVersionFactory(
        plan=plan,
        number=1,
        status=PlanVersion.Status.AGREED,
        agreed_on=timezone.localdate(),
        agreement_channel="en_presence",
        agreement_recorded_by=parcours.referent,
    )
    step = StepFactory(version=version, title=STEP_TITLE, target_date=date(2027, 3, 1))
    for i in range(actions):
        ActionFactory(
            version=version,
            step=step,
            description=ACTION_TEXT if i == 0 else f"{ACTION_TEXT} ({i + 1})",
            due_date=date(2027, 2, 1) + timedelta(days=i),
        )
    TrainingPathFactory(version=version, certification_title=TRAINING_TITLE)
    line = CostLineFactory(version=version, label="Formation", amount=Decimal("6200.00"))
    FundingRequestFactory(
        version=version,
        cost_line=line,
        scheme="ptp",
        amount_requested=Decimal("6200.00"),
        status="accordee",
        amount_granted=Decimal("5000.00"),
    )
    if email:
        ConsentFactory(beneficiary=beneficiary, purpose=Consent.Purpose.SYNTHESIS_BY_EMAIL)
    return parcours
