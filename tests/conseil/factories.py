import factory
from django.utils import timezone

from cep.referentials.models import RomeJob, RomeJobSkill, RomeSkill
from cep.referentials.rome import search_key
from conseil.models import (
    DemandClarification,
    HeldSkill,
    ProjectVersion,
    StrategyOption,
    TrainingNeed,
)
from tests.factories import SAME_OPERATOR, OperatorFactory, ParcoursFactory, TenantFactory


class RomeJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RomeJob
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Z{n % 10000:04d}")
    label = factory.Sequence(lambda n: f"Métier fictif {n}")
    search_label = factory.LazyAttribute(lambda job: search_key(job.label))


class RomeSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RomeSkill
        django_get_or_create = ("code_ogr",)

    code_ogr = factory.Sequence(lambda n: 900000 + n)
    label = factory.Sequence(lambda n: f"Compétence fictive {n}")
    search_label = factory.LazyAttribute(lambda skill: search_key(skill.label))
    category = RomeSkill.Category.KNOW_HOW


class RomeJobSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RomeJobSkill

    job = factory.SubFactory(RomeJobFactory)
    skill = factory.SubFactory(RomeSkillFactory)


class Level2ParcoursFactory(ParcoursFactory):
    entry_level = 2


class DemandClarificationFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = DemandClarification

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level2ParcoursFactory, operator=SAME_OPERATOR)
    priorities = "Travailler près de chez moi."
    autonomy = "appui"
    project_maturity = "en_construction"
    recorded_by = factory.SelfAttribute("parcours.referent")


class HeldSkillFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = HeldSkill

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level2ParcoursFactory, operator=SAME_OPERATOR)
    rome_skill = factory.SubFactory(RomeSkillFactory)
    source = HeldSkill.Source.EXPERIENCE


class TrainingNeedFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = TrainingNeed

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level2ParcoursFactory, operator=SAME_OPERATOR)
    rome_skill = factory.SubFactory(RomeSkillFactory)
    target_job = factory.SubFactory(RomeJobFactory)


class ProjectVersionFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = ProjectVersion

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level2ParcoursFactory, operator=SAME_OPERATOR)
    number = factory.Sequence(lambda n: n + 1)
    project_type = "reconversion"
    description = "Devenir aide-soignante."
    created_by = factory.SelfAttribute("parcours.referent")

    class Params:
        agreed = factory.Trait(
            status=ProjectVersion.Status.AGREED,
            agreed_on=factory.LazyFunction(timezone.localdate),
            agreement_channel="en_presence",
            agreement_recorded_by=factory.SelfAttribute("parcours.referent"),
        )


class StrategyOptionFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = StrategyOption

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(Level2ParcoursFactory, operator=SAME_OPERATOR)
    kind = StrategyOption.Kind.TRAINING
    description = "Formation d'aide-soignant en institut."
    created_by = factory.SelfAttribute("parcours.referent")
