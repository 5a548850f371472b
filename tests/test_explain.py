"""The hot queries can use the indexes declared for them (see the models' comments). On small
generated data the planner would rather scan: sequential scans are switched off for the
EXPLAIN, so what is checked is that an intended index serves the query at all."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from cep.models import Membership, Operator, Parcours
from devdata.scale import Sizes, generate
from indicateurs import services as indicator_services
from indicateurs.facts import MonthRange, facts_sql
from indicateurs.selectors import IndicatorScope, source_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    generate(
        Sizes(operators=3, beneficiaries=300, services=1500, seed=11), today=date(2026, 11, 27)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan(sql: str, params=None, *, in_order: bool = False) -> str:
    """``in_order``: sorting switched off too, as for a page read in index order at scale."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if in_order:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_sort = on")
    return text


def captured(client, url: str, table: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


def counsellor_with_parcours() -> Membership:
    parcours = Parcours.objects.exclude(referent=None).order_by("pk").first()
    return parcours.referent


def test_the_caseload_reads_the_caseload_index(data, login_as):
    counsellor = counsellor_with_parcours()
    client = login_as(counsellor)
    queries = captured(client, "/beneficiaires/", "cep_parcours")
    assert any("parcours_caseload_idx" in plan(sql) for sql in queries), queries


def test_the_services_of_a_file_read_their_parcours_index(data, login_as):
    counsellor = counsellor_with_parcours()
    parcours = Parcours.objects.filter(referent=counsellor).order_by("pk").first()
    client = login_as(counsellor)
    queries = captured(client, f"/beneficiaires/{parcours.beneficiary_id}/", "cep_service")
    # The parcours-led indexes (the foreign key's, or service_parcours_idx with the dates).
    assert any("Index Cond: (parcours_id =" in plan(sql) for sql in queries), queries


def test_an_operators_live_month_reads_its_day_indexes(data):
    operator = Operator.objects.order_by("pk").first()
    sql, params = facts_sql([operator.pk], MonthRange(date(2026, 3, 1), date(2026, 4, 1)))
    text = plan(sql, params)
    for index in (
        "service_operator_day_idx",
        "parcours_operator_opened_idx",
        "parcours_operator_closed_idx",
    ):
        assert index in text, index


def test_the_national_view_reads_the_stored_figures_by_month(data):
    months = [date(2026, 2, 1), date(2026, 3, 1)]
    for month in months:
        indicator_services.rebuild_month(month=month)
    operators = tuple(Operator.objects.values_list("pk", flat=True))
    nation = IndicatorScope("nation", "France", operators, True, date(2026, 10, 1))
    sql, params, by_area = source_sql(nation, months)
    assert by_area
    assert "one_area_figure_per_cell" in plan(sql, params)
    region = Operator.objects.order_by("pk").first()
    own = IndicatorScope("operateur", region.name, (region.pk,), False, date(2026, 11, 1))
    sql, params, by_area = source_sql(own, months)
    assert not by_area
    assert "figure_operator_month_idx" in plan(sql, params)


def test_a_search_in_a_caseload_reads_the_caseload_index(data, login_as):
    counsellor = counsellor_with_parcours()
    with scope(operator=counsellor.operator_id):
        client = login_as(counsellor)
        queries = captured(client, "/beneficiaires/?q=mart", "cep_parcours")
    assert any("parcours_caseload_idx" in plan(sql) for sql in queries), queries


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/api/v1/beneficiaries/", "cep_beneficiary", "beneficiary_keyset_idx"),
        ("/api/v1/parcours/", "cep_parcours", "parcours_keyset_idx"),
        ("/api/v1/services/", "cep_service", "service_keyset_idx"),
    ],
)
def test_the_api_lists_read_their_keyset_index(data, url, table, index):
    from tests.api import token_client

    client = token_client(counsellor_with_parcours())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    lists = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]
    plans = [plan(sql, in_order=True) for sql in lists]
    assert any(index in text for text in plans), plans
