from datetime import timedelta

import factory
from django.utils import timezone

from accueil.models import (
    InformationDelivery,
    InformationSession,
    IntakeRequest,
    Routing,
    RoutingRule,
    RoutingStatusChange,
    SessionRegistration,
    Structure,
)
from cep.models import Consent, Service
from tests.factories import (
    SAME_OPERATOR,
    BeneficiaryFactory,
    ConsentFactory,
    MembershipFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    SiteFactory,
    TenantFactory,
    TransferFactory,
)


class StructureFactory(TenantFactory):
    class Meta:
        model = Structure

    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"Structure partenaire {n}")
    kind = Structure.Kind.MISSION_LOCALE

    class Params:
        on_platform = factory.Trait(platform_operator=factory.SubFactory(OperatorFactory))


class RoutingRuleFactory(TenantFactory):
    _parent_field = "target"

    class Meta:
        model = RoutingRule

    operator = factory.SubFactory(OperatorFactory)
    label = factory.Sequence(lambda n: f"Règle {n}")
    target = factory.SubFactory(StructureFactory, operator=SAME_OPERATOR)


class IntakeRequestFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = IntakeRequest

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    received_on = factory.SelfAttribute("parcours.opened_on")
    channel = Service.Channel.ON_SITE
    motive = "Je voudrais changer de métier."
    eligibility_reason = "Personne active."
    received_by = factory.SelfAttribute("parcours.referent")


class InformationDeliveryFactory(TenantFactory):
    _parent_field = "service"

    class Meta:
        model = InformationDelivery

    operator = factory.SubFactory(OperatorFactory)
    service = factory.SubFactory(ServiceFactory, operator=SAME_OPERATOR)
    themes = factory.LazyFunction(lambda: [InformationDelivery.Theme.TRAINING])


class RoutingFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = Routing

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    target = factory.SubFactory(StructureFactory, operator=SAME_OPERATOR)
    reason = "Public jeune : accompagnement renforcé."
    created_by = factory.SelfAttribute("parcours.referent")

    class Params:
        consent = None
        # As route() makes one towards an operator of the platform: the level-1 face of a
        # transfer sent with the person's consent (the `consent` given, or a new one).
        is_transfer = factory.Trait(
            target=factory.SubFactory(StructureFactory, operator=SAME_OPERATOR, on_platform=True),
            transfer=factory.SubFactory(
                TransferFactory,
                operator=SAME_OPERATOR,
                parcours=factory.SelfAttribute("..parcours"),
                target_operator=factory.SelfAttribute("..target.platform_operator"),
                reason=factory.SelfAttribute("..reason"),
                consent=factory.LazyAttribute(lambda transfer: _consent_of(transfer)),
            ),
        )


def _consent_of(transfer) -> Consent:
    return transfer.factory_parent.consent or ConsentFactory(
        operator=transfer.operator,
        beneficiary=transfer.beneficiary,
        purpose=Consent.Purpose.SHARE_WITH_OPERATOR,
        categories=transfer.categories,
    )


class RoutingStatusChangeFactory(TenantFactory):
    _parent_field = "routing"

    class Meta:
        model = RoutingStatusChange

    operator = factory.SubFactory(OperatorFactory)
    routing = factory.SubFactory(RoutingFactory, operator=SAME_OPERATOR)
    status = Routing.Status.PENDING
    changed_by = factory.SelfAttribute("routing.created_by")


class InformationSessionFactory(TenantFactory):
    class Meta:
        model = InformationSession

    operator = factory.SubFactory(OperatorFactory)
    theme = "Le CEP, pour qui, pour quoi ?"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    site = factory.SubFactory(SiteFactory, operator=SAME_OPERATOR)
    animator = factory.SubFactory(MembershipFactory, operator=SAME_OPERATOR)
    capacity = 12

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=3))
        )


class SessionRegistrationFactory(TenantFactory):
    _parent_field = "session"

    class Meta:
        model = SessionRegistration

    operator = factory.SubFactory(OperatorFactory)
    session = factory.SubFactory(InformationSessionFactory, operator=SAME_OPERATOR)
    beneficiary = factory.SubFactory(BeneficiaryFactory, operator=SAME_OPERATOR)
    registered_by = factory.SelfAttribute("session.animator")
