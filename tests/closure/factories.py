import factory
from django.utils import timezone

from cep.closure.models import ParcoursEvent, SubReason
from cep.models import Parcours
from tests.factories import SAME_OPERATOR, OperatorFactory, ParcoursFactory, TenantFactory


class SubReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubReason

    operator = factory.SubFactory(OperatorFactory)
    national_reason = Parcours.ClosingReason.COMPLETED
    label = factory.Sequence(lambda n: f"Sous-motif {n}")


class ParcoursEventFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = ParcoursEvent

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    kind = ParcoursEvent.Kind.END
    on = factory.LazyFunction(timezone.localdate)
    reason = Parcours.ClosingReason.COMPLETED
    level = 1
