"""Factories of fictional people and operators (factory_boy, with traits for the usual variants)."""

from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from cep import services
from cep.continuity.models import LiaisonFile, Transfer, TransferStatusChange
from cep.models import (
    ApiToken,
    AuditCheckpoint,
    AuditEvent,
    Beneficiary,
    BeneficiaryAccount,
    Consent,
    Coordinator,
    Membership,
    Operator,
    Parcours,
    ReferentAssignment,
    Service,
    Site,
)
from cep.nomenclatures import EmploymentStatus
from cep.space.models import BeneficiaryRequest, Invitation

PASSWORD = "mot-de-passe-de-test-1"
PASSWORD_HASH = make_password(PASSWORD)

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

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.invalid")
    # Hashed once: a real hasher per user would dominate the suite's time.
    password = factory.LazyFunction(lambda: PASSWORD_HASH)


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


# Tenant factories declare `operator` first and hand it down (SelfAttribute("..operator")), so
# `AnyFactory(operator=x)` builds a whole object graph inside operator x.
SAME_OPERATOR = factory.SelfAttribute("..operator")


class TenantFactory(factory.django.DjangoModelFactory):
    """`XFactory(parent=obj)` alone lands in obj's operator: the operator is read from the parent
    before any declaration is resolved."""

    class Meta:
        abstract = True

    _parent_field: str | None = None

    @classmethod
    def create(cls, **kwargs):
        parent = kwargs.get(cls._parent_field) if cls._parent_field else None
        if parent is not None and "operator" not in kwargs:
            kwargs["operator"] = parent.operator
        return super().create(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    """Through the service, so the role's guardian permissions exist as in production."""

    class Meta:
        model = Membership

    operator = factory.SubFactory(OperatorFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.CONSEILLER

    @classmethod
    def _create(cls, model_class, *args, operator, user, role, **kwargs):
        return services.grant_membership(operator=operator, user=user, role=role)


def make_membership(*, operator: Operator, role: str = Membership.Role.CONSEILLER, user=None):
    extra = {"user": user} if user is not None else {}
    return MembershipFactory(operator=operator, role=role, **extra)


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator

    user = factory.SubFactory(UserFactory)
    level = Coordinator.Level.REGION
    region = "84"

    class Params:
        national = factory.Trait(level=Coordinator.Level.NATION, region="")


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


class ParcoursFactory(TenantFactory):
    _parent_field = "beneficiary"

    class Meta:
        model = Parcours

    operator = factory.SubFactory(OperatorFactory)
    beneficiary = factory.SubFactory(BeneficiaryFactory, operator=SAME_OPERATOR)
    referent = factory.SubFactory(MembershipFactory, operator=SAME_OPERATOR)
    entry_level = 1
    current_level = factory.SelfAttribute("entry_level")
    opened_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    level_2_on = factory.LazyAttribute(
        lambda p: p.opened_on if p.entry_level <= 2 <= p.current_level else None
    )
    level_3_on = factory.LazyAttribute(lambda p: p.opened_on if p.current_level == 3 else None)

    class Params:
        closed = factory.Trait(
            closed_on=factory.LazyFunction(timezone.localdate),
            closing_reason=Parcours.ClosingReason.COMPLETED,
        )


class ReferentAssignmentFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = ReferentAssignment

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    referent = factory.SelfAttribute("parcours.referent")


class ServiceFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = Service

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    level = factory.SelfAttribute("parcours.current_level")
    kind = Service.Kind.INDIVIDUAL_INTERVIEW
    channel = Service.Channel.ON_SITE
    delivered_on = factory.SelfAttribute("parcours.opened_on")
    duration_minutes = 60
    counsellor = factory.SelfAttribute("parcours.referent")


class ConsentFactory(TenantFactory):
    _parent_field = "beneficiary"

    class Meta:
        model = Consent

    operator = factory.SubFactory(OperatorFactory)
    beneficiary = factory.SubFactory(BeneficiaryFactory, operator=SAME_OPERATOR)
    purpose = Consent.Purpose.FOLLOW_UP_SURVEY
    given_at = factory.LazyFunction(timezone.now)
    evidence = "Formulaire signé"


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    operator = factory.SubFactory(OperatorFactory)
    membership = factory.SubFactory(MembershipFactory, operator=SAME_OPERATOR)
    user = factory.SelfAttribute("membership.user")
    action = AuditEvent.Action.READ
    object_type = "cep.beneficiary"
    object_id = "0"


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    operator = factory.SubFactory(OperatorFactory)
    membership = factory.SubFactory(MembershipFactory, operator=SAME_OPERATOR)
    label = factory.Sequence(lambda n: f"Système d'information {n}")
    key_digest = factory.LazyFunction(lambda: ApiToken.digest(ApiToken.generate_key()))


class BeneficiaryAccountFactory(TenantFactory):
    """The person's own login, as an accepted invitation leaves it."""

    _parent_field = "beneficiary"

    class Meta:
        model = BeneficiaryAccount

    operator = factory.SubFactory(OperatorFactory)
    beneficiary = factory.SubFactory(BeneficiaryFactory, operator=SAME_OPERATOR, with_contact=True)
    user = factory.SubFactory(UserFactory)


class InvitationFactory(TenantFactory):
    _parent_field = "beneficiary"

    class Meta:
        model = Invitation

    operator = factory.SubFactory(OperatorFactory)
    beneficiary = factory.SubFactory(BeneficiaryFactory, operator=SAME_OPERATOR, with_contact=True)
    email = factory.SelfAttribute("beneficiary.email")
    token_digest = factory.LazyFunction(lambda: Invitation.digest(Invitation.generate_token()))
    created_by = factory.SubFactory(MembershipFactory, operator=SAME_OPERATOR)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class BeneficiaryRequestFactory(TenantFactory):
    _parent_field = "beneficiary"

    class Meta:
        model = BeneficiaryRequest

    operator = factory.SubFactory(OperatorFactory)
    beneficiary = factory.SubFactory(BeneficiaryFactory, operator=SAME_OPERATOR)
    kind = BeneficiaryRequest.Kind.RECTIFICATION
    message = "Mon numéro de téléphone a changé."


class TransferFactory(TenantFactory):
    """A transfer sent, with consent for identity and situation, waiting for the receiving
    operator (no object permission: use the service for a transfer someone may read)."""

    _parent_field = "parcours"

    class Meta:
        model = Transfer

    operator = factory.SubFactory(OperatorFactory)
    target_operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    beneficiary = factory.SelfAttribute("parcours.beneficiary")
    reason = "Déménagement dans un autre département."
    categories = ["identite", "situation"]
    consent = factory.SubFactory(
        ConsentFactory,
        operator=SAME_OPERATOR,
        beneficiary=factory.SelfAttribute("..beneficiary"),
        purpose=Consent.Purpose.SHARE_WITH_OPERATOR,
        categories=["identite", "situation"],
    )
    status = Transfer.Status.PENDING
    created_by = factory.SelfAttribute("parcours.referent")
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=15))


class TransferStatusChangeFactory(TenantFactory):
    _parent_field = "transfer"

    class Meta:
        model = TransferStatusChange

    operator = factory.SubFactory(OperatorFactory)
    transfer = factory.SubFactory(TransferFactory, operator=SAME_OPERATOR)
    status = Transfer.Status.PENDING
    note = "Envoyé"


class LiaisonFileFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = LiaisonFile

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR)
    origin_operator = factory.SubFactory(OperatorFactory)
    categories = ["identite", "situation"]
    content = factory.LazyFunction(list)
    reason = "Déménagement."


class AuditCheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditCheckpoint

    operator = factory.SubFactory(OperatorFactory)
    up_to_index = 0
    last_hash = ""
    purged_at = factory.LazyFunction(timezone.now)
