"""Every page of one parcours, at every level, is audited once, as a read about its person."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from cep.models import AuditEvent
from tests.conseil.factories import Level2ParcoursFactory

pytestmark = pytest.mark.django_db

# One page per app that uses cep.mixins.ParcoursViewMixin.
PAGES = [
    "/conseil/parcours/{pk}/",
    "/synthese/parcours/{pk}/",
    "/parcours/{pk}/continuite/",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_parcours_page_is_one_read_of_the_parcours_with_its_person(login_as, page):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.format(pk=parcours.pk))
    assert response.status_code == 200
    with scopes_disabled():
        reads = list(AuditEvent.objects.filter(action=AuditEvent.Action.READ))
    # One READ, naming the person (the workspace pages record the file itself, the others
    # the parcours): never two for one page.
    assert [e.beneficiary_id for e in reads] == [parcours.beneficiary_id]
    assert reads[0].object_type in ("cep.parcours", "cep.beneficiary")
    # The person's id comes from the loaded parcours: the page does not look the parcours up
    # a second time to write its trail.
    parcours_lookups = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "cep_parcours"' in q["sql"]
        and "beneficiary_id" in q["sql"].split("FROM")[0]
        and "INNER JOIN" not in q["sql"]
    ]
    assert len(parcours_lookups) <= 1, parcours_lookups
    assert f'href="/beneficiaires/{parcours.beneficiary_id}/"' in response.content.decode()
