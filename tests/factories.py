"""Factories of fictional people and operators (factory_boy, with traits for the usual variants)."""

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cep import services
from cep.models import Beneficiary, Membership, Operator, Parcours, Service, Site
from cep.nomenclatures import EmploymentStatus

PASSWORD = "mot-de-passe-de-test-1"

# A valid beneficiary as a form or the API receives it (tests vary one field at a time).
BENEFICIARY_INPUT = {
    "first_name": "Maëlle",
    "last_name": "Quéré",
    "sex": "F",
    "birth_date": "1988-03-21",
    "email": "maelle.quere@exemple.invalid",
    "phone": "06 12 34 56 78",
    "postcode": "35000",
    "departement": "35",
    "employment_status": "salarie_cdi",
    "pcs_group": "5",
    "diploma_level": "4",
    "entry_level": "1",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"Opérateur fictif {n}")
    kind = Operator.Kind.FRANCE_TRAVAIL
    region = "84"

    class Params:
        regional = factory.Trait(kind=Operator.Kind.REGIONAL, region="53")
        mission_locale = factory.Trait(kind=Operator.Kind.MISSION_LOCALE)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    commune = "Lyon"
    departement = "69"


def make_membership(*, operator: Operator, role: str = Membership.Role.CONSEILLER, user=None):
    """Memberships go through the service, so their guardian permissions exist as in production."""
    return services.grant_membership(operator=operator, user=user or UserFactory(), role=role)


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    operator = factory.SubFactory(OperatorFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    sex = "F"
    birth_date = date(1985, 4, 12)
    departement = "69"
    employment_status = EmploymentStatus.EMPLOYEE_PERMANENT

    class Params:
        job_seeker = factory.Trait(employment_status=EmploymentStatus.JOB_SEEKER_A)
        with_contact = factory.Trait(
            email=factory.LazyAttribute(lambda b: f"{b.first_name.lower()}@exemple.invalid"),
            phone="06 12 34 56 78",
        )


class ParcoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcours

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    operator = factory.SelfAttribute("beneficiary.operator")
    referent = factory.LazyAttribute(lambda p: make_membership(operator=p.operator))
    entry_level = 1
    current_level = factory.SelfAttribute("entry_level")
    opened_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))

    class Params:
        closed = factory.Trait(
            closed_on=factory.LazyFunction(timezone.localdate),
            closing_reason=Parcours.ClosingReason.COMPLETED,
        )


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    parcours = factory.SubFactory(ParcoursFactory)
    operator = factory.SelfAttribute("parcours.operator")
    level = factory.SelfAttribute("parcours.current_level")
    kind = Service.Kind.INDIVIDUAL_INTERVIEW
    channel = Service.Channel.ON_SITE
    delivered_on = factory.SelfAttribute("parcours.opened_on")
    duration_minutes = 60
    counsellor = factory.SelfAttribute("parcours.referent")
