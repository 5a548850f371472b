import factory
from django.utils import timezone

from indicateurs.models import FollowUpSurvey, MonthlyFigure
from tests.factories import SAME_OPERATOR, OperatorFactory, ParcoursFactory, TenantFactory


class FollowUpSurveyFactory(TenantFactory):
    _parent_field = "parcours"

    class Meta:
        model = FollowUpSurvey

    operator = factory.SubFactory(OperatorFactory)
    parcours = factory.SubFactory(ParcoursFactory, operator=SAME_OPERATOR, closed=True)
    moment = FollowUpSurvey.Moment.END
    due_on = factory.LazyFunction(timezone.localdate)


class MonthlyFigureFactory(TenantFactory):
    class Meta:
        model = MonthlyFigure

    operator = factory.SubFactory(OperatorFactory)
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    code = "entrees"
    key = factory.Sequence(str)
    value = 1
