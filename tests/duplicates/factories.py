import factory

from cep.duplicates.models import DistinctPersonConfirmation
from tests.factories import BeneficiaryFactory, MembershipFactory, TenantFactory


class DistinctPersonConfirmationFactory(TenantFactory):
    _parent_field = "beneficiary"

    class Meta:
        model = DistinctPersonConfirmation

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    other = factory.SubFactory(
        BeneficiaryFactory, operator=factory.SelfAttribute("..beneficiary.operator")
    )
    confirmed_by = factory.SubFactory(
        MembershipFactory, operator=factory.SelfAttribute("..beneficiary.operator")
    )
    reasons = ["même adresse électronique"]
