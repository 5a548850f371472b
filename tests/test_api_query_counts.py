"""Every API list keeps the same number of queries as its rows grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accompagnement.factories import ActionPlanFactory
from tests.accueil.factories import (
    InformationSessionFactory,
    IntakeRequestFactory,
    RoutingFactory,
    RoutingStatusChangeFactory,
)
from tests.conseil.factories import (
    DemandClarificationFactory,
    HeldSkillFactory,
    ProjectVersionFactory,
    RomeJobFactory,
    StrategyOptionFactory,
)
from tests.factories import MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def grow(operator, n):
    for _ in range(n):
        IntakeRequestFactory(operator=operator)  # beneficiary, parcours, referent
        ServiceFactory(operator=operator)
        routing = RoutingFactory(operator=operator)
        RoutingStatusChangeFactory(operator=operator, routing=routing)
        InformationSessionFactory(operator=operator)
        HeldSkillFactory(operator=operator)
        version = ProjectVersionFactory(operator=operator)
        version.target_jobs.add(RomeJobFactory())
        StrategyOptionFactory(operator=operator)
        DemandClarificationFactory(operator=operator)
        ActionPlanFactory(operator=operator)


LISTS = [
    "/api/v1/beneficiaries/",
    "/api/v1/parcours/",
    "/api/v1/services/",
    "/api/v1/intake-requests/",
    "/api/v1/routings/",
    "/api/v1/information-sessions/",
    "/api/v1/held-skills/",
    "/api/v1/project-versions/",
    "/api/v1/strategy-options/",
    "/api/v1/demand-clarifications/",
    "/api/v1/action-plans/",
]


def test_api_lists_do_not_grow_with_rows(login_as):
    counsellor = MembershipFactory()
    client = login_as(counsellor)

    def counts():
        result = {}
        for url in LISTS:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            assert response.json()["results"], f"{url} lists nothing: the test would prove nothing"
            result[url] = len(queries)
        return result

    grow(counsellor.operator, 3)
    few = counts()
    grow(counsellor.operator, 30)
    assert counts() == few
