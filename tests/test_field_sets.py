"""One field set per model: the form, the API serializer, the service and the data export of the
person and of the training path use the set declared next to the model, and nothing else."""

import inspect
import uuid
from decimal import Decimal

import pytest

from accompagnement import forms as plan_forms
from accompagnement import models as plan_models
from accompagnement import services as plans
from accompagnement.api.serializers import ITEM_SERIALIZERS, TrainingPathSerializer
from accompagnement.diff import COMPARED
from accompagnement.forms import ITEM_FORMS, TrainingForm
from accompagnement.models import TRAINING_PATH_FIELDS, TrainingPath
from accueil import forms as intake_forms
from accueil import models as intake_models
from accueil.api.serializers import PersonSerializer
from accueil.forms import IntakePersonForm, IntakeSituationForm
from cep import forms as core_forms
from cep import models as core_models
from cep import services
from cep.api.serializers import BeneficiarySerializer
from cep.forms import BeneficiaryForm, NewBeneficiaryForm
from cep.models import BENEFICIARY_FIELDS, Beneficiary
from cep.registries import RECORD_KIND, RECORD_NUMBER, data_sections
from conseil import forms as level_2_forms
from conseil import models as level_2_models
from tests.accompagnement.factories import TrainingPathFactory
from tests.conseil.factories import Level2ParcoursFactory
from tests.factories import BeneficiaryFactory, OperatorFactory, make_membership

# Written by hand: adding a field to the set is a decision this test makes visible.
BENEFICIARY = [
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "email",
    "phone",
    "france_travail_id",
    "postcode",
    "departement",
    "employment_status",
    "pcs_group",
    "diploma_level",
    "rqth",
    "qpv_resident",
]
TRAINING_PATH = [
    "provider_name",
    "provider_chosen_by_beneficiary",
    "certification_code",
    "certification_title",
    "start_date",
    "end_date",
    "hours",
    "modality",
    "cost",
    "vae_reduction",
]


def writable(serializer) -> list[str]:
    return [name for name, field in serializer.fields.items() if not field.read_only]


def labels(model, names) -> list[str]:
    return [str(model._meta.get_field(name).verbose_name) for name in names]


def section(key: str):
    (found,) = [s for s in data_sections() if s.key == key]
    return found


def fields_of(record: dict) -> list[str]:
    return [label for label in record if label not in (RECORD_KIND, RECORD_NUMBER)]


# --- The person


def test_the_beneficiary_field_set_is_the_list_written_here():
    assert list(BENEFICIARY_FIELDS) == BENEFICIARY


def test_the_beneficiary_forms_use_the_field_set():
    assert list(BeneficiaryForm.base_fields) == list(BENEFICIARY_FIELDS)
    # The new file also opens the parcours, at the level chosen.
    assert list(NewBeneficiaryForm.base_fields) == [*BENEFICIARY_FIELDS, "entry_level"]


def test_the_intake_asks_for_the_field_set_in_its_first_two_steps():
    situation = [name for name in IntakeSituationForm().fields if hasattr(Beneficiary, name)]
    assert list(IntakePersonForm().fields) + situation == list(BENEFICIARY_FIELDS)


def test_the_beneficiary_serializers_use_the_field_set():
    serializer = BeneficiarySerializer()
    assert list(serializer.fields) == [
        "id",
        *BENEFICIARY_FIELDS,
        "entry_level",
        "created_at",
        "updated_at",
    ]
    assert writable(serializer) == [*BENEFICIARY_FIELDS, "entry_level"]
    assert list(PersonSerializer().fields) == list(BENEFICIARY_FIELDS)


def test_the_beneficiary_services_take_the_field_set():
    create = inspect.signature(services.create_beneficiary).parameters
    assert set(create) - {
        "membership",
        "entry_level",
        "opened_on",
        "ip_address",
        "confirm_distinct",
    } == set(BENEFICIARY_FIELDS)


@pytest.mark.django_db
def test_update_beneficiary_takes_every_field_of_the_set_and_no_other():
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    beneficiary = BeneficiaryFactory(operator=operator)
    unchanged = {name: getattr(beneficiary, name) for name in BENEFICIARY_FIELDS}
    services.update_beneficiary(membership=counsellor, beneficiary=beneficiary, **unchanged)
    with pytest.raises(TypeError, match="Not a beneficiary field: anonymised_at"):
        services.update_beneficiary(
            membership=counsellor, beneficiary=beneficiary, anonymised_at=None
        )


@pytest.mark.django_db
def test_the_persons_data_holds_the_field_set():
    beneficiary = BeneficiaryFactory()
    identity = section("identite")
    (own,) = identity.export(beneficiary)
    # Their own copy adds when this operator created and last changed the file.
    assert fields_of(own) == labels(Beneficiary, [*BENEFICIARY_FIELDS, "created_at", "updated_at"])
    (shared,) = identity.liaison_records(beneficiary)
    assert fields_of(shared) == labels(Beneficiary, BENEFICIARY_FIELDS)


# --- The training path


def test_the_training_path_field_set_is_the_list_written_here():
    assert list(TRAINING_PATH_FIELDS) == TRAINING_PATH


def test_the_training_form_uses_the_field_set():
    assert ITEM_FORMS["training"][0] is TrainingForm
    assert list(TrainingForm.base_fields) == list(TRAINING_PATH_FIELDS)


def test_the_training_serializer_uses_the_field_set():
    assert ITEM_SERIALIZERS["training"] is TrainingPathSerializer
    serializer = TrainingPathSerializer()
    assert list(serializer.fields) == ["id", "key", *TRAINING_PATH_FIELDS]
    assert writable(serializer) == list(TRAINING_PATH_FIELDS)


def test_the_diff_compares_the_field_set_but_the_providers_choice_always_true():
    (compared,) = [fields for model, _, fields in COMPARED if model is TrainingPath]
    assert compared == [
        name for name in TRAINING_PATH_FIELDS if name != "provider_chosen_by_beneficiary"
    ]


@pytest.mark.django_db
def test_add_item_takes_every_field_of_the_set_and_no_other():
    parcours = Level2ParcoursFactory(entry_level=3)
    plan = plans.ensure_plan(membership=parcours.referent, parcours=parcours)
    values = {
        "provider_name": "Institut",
        "provider_chosen_by_beneficiary": True,
        "certification_code": "RNCP37274",
        "certification_title": "CAP",
        "start_date": None,
        "end_date": None,
        "hours": 400,
        "modality": "mixte",
        "cost": Decimal("1000.00"),
        "vae_reduction": Decimal("0.00"),
    }
    assert set(values) == set(TRAINING_PATH_FIELDS)

    def add(**fields):
        return plans.add_item(
            membership=parcours.referent, plan=plan, item_type="training", **fields
        )

    assert add(**values).hours == 400
    # A field of the model outside the set (it follows the item across versions) is refused.
    with pytest.raises(TypeError, match="Not a field of training: key"):
        add(**values, key=uuid.uuid4())


@pytest.mark.django_db
def test_the_persons_data_holds_the_training_field_set():
    training = TrainingPathFactory()
    beneficiary = training.version.plan.parcours.beneficiary
    records = [
        r for r in section("plan").export(beneficiary) if r[RECORD_KIND] == "parcours de formation"
    ]
    # The export adds which version of the plan it belongs to.
    assert [fields_of(r) for r in records] == [
        labels(TrainingPath, ["version", *TRAINING_PATH_FIELDS])
    ]


# --- The other models with a field set: their form lists exactly it (their serializer and
# export are built from the same constant, as above).


OTHER_FORMS = [
    (core_forms.ServiceForm, core_models.SERVICE_FIELDS),
    (intake_forms.IntakeRequestForm, intake_models.INTAKE_REQUEST_FIELDS),
    (plan_forms.StepForm, plan_models.STEP_FIELDS),
    (plan_forms.ActionForm, plan_models.ACTION_FIELDS),
    (plan_forms.ExternalServiceForm, plan_models.EXTERNAL_SERVICE_FIELDS),
    (plan_forms.CostLineForm, plan_models.COST_LINE_FIELDS),
    (plan_forms.FundingRequestForm, plan_models.FUNDING_REQUEST_FIELDS),
    (plan_forms.DeclaredFactsForm, plan_models.DECLARED_FACTS_FIELDS),
    (plan_forms.ContactForm, plan_models.CONTACT_LOG_FIELDS),
    (level_2_forms.ClarificationForm, level_2_models.DEMAND_CLARIFICATION_FIELDS),
    (level_2_forms.StrategyForm, level_2_models.STRATEGY_OPTION_FIELDS),
    # The project form adds why this version changed, and a target job to add by its name
    # (the ROME job combobox, cep.referentials.forms.RomeJobField).
    (
        level_2_forms.ProjectForm,
        (*level_2_models.PROJECT_FIELDS, "revision_reason", "new_target_job"),
    ),
]


@pytest.mark.parametrize(
    ("form", "field_set"), OTHER_FORMS, ids=lambda v: getattr(v, "__name__", "")
)
def test_the_other_forms_use_their_field_set(form, field_set):
    assert list(form.base_fields) == list(field_set)
