"""Dashboards, exports and the consolidation API: who sees which operators, what is masked, and
that nothing about a person reaches a coordinator."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from cep.models import Beneficiary, Membership
from tests.factories import CoordinatorFactory, make_membership
from tests.indicateurs.dataset import build

pytestmark = pytest.mark.django_db

MARCH = "periode=mois&mois=2026-03"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def data():
    return build()


@pytest.fixture
def regional(client):
    """The coordinator of Auvergne-Rhône-Alpes (operator A's region, not B's)."""
    coordinator = CoordinatorFactory(region="84")
    client.force_login(coordinator.user)
    return client


@pytest.fixture
def national(client):
    coordinator = CoordinatorFactory(national=True)
    client.force_login(coordinator.user)
    return client


def cell(html: str, table_id: str, row_label: str) -> list[str]:
    """The cells of one row of one table of the page, as text."""
    table = html.split(f'id="tableau-{table_id}"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf"<th scope=\"row\">{re.escape(row_label)}</th>(.*?)</tr>", table, re.S)
    assert row, f"no row {row_label!r} in {table_id}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row[1], re.S)]


def test_a_manager_sees_exact_figures_of_their_operator_only(data, login_as):
    manager = make_membership(operator=data.operator_a, role=Membership.Role.MANAGER)
    html = login_as(manager).get(f"/indicateurs/?{MARCH}").content.decode()
    # Operator A: 4 parcours started in March (B's one is not there), exact: not masked.
    assert cell(html, "entrees-niveau_entree", "Total")[0] == "4"
    assert cell(html, "beneficiaires-sexe", "Homme")[0] == "2"
    assert "Opérateur B" not in html


def test_a_counsellor_has_no_indicators(data, login_as):
    counsellor = make_membership(operator=data.operator_a)
    assert login_as(counsellor).get("/indicateurs/").status_code == 404
    assert login_as(counsellor).get("/api/v1/indicateurs/").status_code == 404


def test_a_regional_coordinator_sees_their_region_masked(data, regional, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    html = regional.get(f"/indicateurs/?{MARCH}").content.decode()
    # Only operator A is in region 84.
    # Entries, exits, people, services: 2 exits (< 3) masked, and the total that equals them.
    assert cell(html, "par-operateur", "Opérateur A") == ["4", "s", "5", "4"]
    assert cell(html, "par-operateur", "Total") == ["4", "s", "5", "4"]
    assert "Opérateur B" not in html
    # Men: 2 (< 3) is masked, then women (3) too, or 5 - 3 would give it back; the total stays.
    assert cell(html, "beneficiaires-sexe", "Homme") == ["s", "s"]
    assert cell(html, "beneficiaires-sexe", "Femme") == ["s", "s"]
    assert cell(html, "beneficiaires-sexe", "Total") == ["5", "100,0 %"]


def test_a_national_coordinator_sees_every_region(data, national, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    html = national.get(f"/indicateurs/?{MARCH}").content.decode()
    # Entries, exits, people, services. Île-de-France has operator B's single parcours, person
    # and service: masked, and as each is the only masked cell of its column, the other region's
    # is masked too. Exits: 2 in the region and in total, both below 3; 0 stays published.
    assert cell(html, "par-region", "Île-de-France") == ["s", "0", "s", "s"]
    assert cell(html, "par-region", "Auvergne-Rhône-Alpes") == ["s", "s", "s", "s"]
    assert cell(html, "par-region", "Total") == ["5", "s", "6", "5"]


def test_nothing_about_a_person_reaches_a_coordinator(data, regional, national, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 1  # nothing masked: the most a coordinator gets
    people = list(Beneficiary.objects.all())
    for person in people:  # names that cannot occur on the page by chance
        person.first_name, person.last_name = f"Prenomzq{person.pk}", f"Nomzq{person.pk}"
        person.save()
    for client in (regional, national):
        html = client.get(f"/indicateurs/?{MARCH}").content.decode()
        payload = client.get(f"/api/v1/indicateurs/?{MARCH}").content.decode()
        for text in (html, payload):
            for person in people:
                assert person.last_name not in text
                assert person.first_name not in text
                assert person.birth_date.isoformat() not in text
                assert person.birth_date.strftime("%d/%m/%Y") not in text
        body = client.get(f"/api/v1/indicateurs/?{MARCH}").json()
        table = "par-operateur" if body["perimetre"]["type"] == "region" else "par-region"
        assert set(body) == {
            "perimetre",
            "periode",
            "secret_statistique",
            "definitions",
            "indicateurs",
            "periode_precedente",
            "ventilations",
            table,
        }
        assert "Prenomzq" not in html and "Nomzq" not in payload


def test_coordinators_see_closed_months_only(data, regional):
    # On 27 November 2026, November is the current month and October the last closed one.
    # (tests/test_clock.py checks the same rule at other moments of the calendar.)
    with time_machine.travel(datetime(2026, 11, 27, 12, 0, tzinfo=PARIS), tick=False):
        response = regional.get("/indicateurs/?periode=mois&mois=2026-11")
        api = regional.get("/api/v1/indicateurs/?periode=mois&mois=2026-11")
        shown = regional.get("/indicateurs/?periode=mois&mois=2026-10")
    assert response.status_code == 400
    assert "octobre 2026 : choisissez une période qui commence avant" in response.content.decode()
    assert api.status_code == 400
    assert "octobre 2026" in api.json()["mois"][0]
    assert shown.status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("periode=mois&mois=2026-13", "mois", "Saisissez un mois au format AAAA-MM"),
        ("periode=mois", "mois", "Ce champ est nécessaire pour cette période."),
        ("periode=trimestre&annee=2026&trimestre=5", "trimestre", "Choisissez un trimestre"),
        ("periode=annee&annee=deux-mille", "annee", "Saisissez une année en chiffres"),
        ("periode=personnalise&du=2026-05&au=2026-02", "au", "Le mois de fin doit suivre"),
        ("periode=personnalise&du=2020-01&au=2026-02", "au", "Choisissez au plus 36 mois."),
        ("periode=semaine", "periode", "Choisissez une période dans la liste."),
    ],
)
def test_bad_periods_are_refused_field_by_field(data, login_as, query, field, message):
    manager = make_membership(operator=data.operator_a, role=Membership.Role.MANAGER)
    client = login_as(manager)
    response = client.get(f"/indicateurs/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    api = client.get(f"/api/v1/indicateurs/?{query}")
    assert api.status_code == 400
    assert message in api.json()[field][0]


def test_exports_are_masked_like_the_page(data, regional, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    csv = regional.get(f"/indicateurs/?{MARCH}&export=beneficiaires-sexe&format=csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Sexe;Personnes;Part (%)"
    assert lines[1:] == ["Femme;s;s", "Homme;s;s", "Total;5;100,0"]
    xlsx = regional.get(f"/indicateurs/?{MARCH}&export=par-operateur&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["Opérateur A", 4, "s", 5, 4]
    every = regional.get(f"/indicateurs/?{MARCH}&export=indicateurs&format=csv")
    # March: 4; February (the previous period): 1, masked.
    assert "Parcours commencés;entrees;parcours;4;s" in every.content.decode("utf-8-sig")
    assert regional.get(f"/indicateurs/?{MARCH}&export=inconnu&format=csv").status_code == 404


def test_the_consolidation_api_carries_definitions_and_masks(data, national, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    body = national.get(f"/api/v1/indicateurs/?{MARCH}").json()
    assert body["periode"] == {"du": "2026-03-01", "au_exclu": "2026-04-01", "libelle": "mars 2026"}
    assert body["secret_statistique"] == {"applique": True, "seuil": 3, "valeur_masquee": None}
    assert body["indicateurs"]["entrees"] == 5
    assert body["indicateurs"]["sorties"] is None  # 2 < 3: masked
    codes = {d["code"] for d in body["definitions"]}
    assert {"entrees", "beneficiaires", "taux_passage_n2", "delai_premier_rdv"} <= codes
    # 2 men (< 3) masked, and the 4 women with them, or 6 - 4 would give the men back.
    assert body["ventilations"]["beneficiaires-sexe"] == {"F": None, "M": None, "total": 6}


def test_the_dashboard_query_count_does_not_grow(data, regional, django_assert_num_queries):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert regional.get(f"/indicateurs/?{MARCH}").status_code == 200
        return len(captured)

    before = count()
    build()  # as many records again, in two more operators
    assert count() == before


def test_home_takes_a_coordinator_to_the_indicators(regional):
    assert regional.get("/").url == "/indicateurs/"


def test_a_figure_equal_to_a_withheld_cell_is_withheld_too(data, regional, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    body = regional.get(f"/api/v1/indicateurs/?{MARCH}").json()
    # Entries by level in March: 3 at level 1, 1 at level 2, total 4. The 1 is masked, then the
    # 3, or 4 - 3 would give it back. Entries at level 1 (3, not small) are that same cell: were
    # it published, the masked 1 would follow; so are the passage rate built on it.
    assert body["ventilations"]["entrees-niveau_entree"] == {
        "1": None,
        "2": None,
        "3": 0,
        "total": 4,
    }
    assert body["indicateurs"]["entrees"] == 4
    assert body["indicateurs"]["debuts_n1"] is None
    assert body["indicateurs"]["taux_passage_n2"] is None


def test_places_are_shown_by_region_outside_the_operator(data, regional, login_as):
    tables = regional.get(f"/api/v1/indicateurs/?{MARCH}").json()["ventilations"]
    assert "beneficiaires-region" in tables
    assert "beneficiaires-departement" not in tables
    manager = make_membership(operator=data.operator_a, role=Membership.Role.MANAGER)
    own = login_as(manager).get(f"/api/v1/indicateurs/?{MARCH}").json()["ventilations"]
    assert own["beneficiaires-departement"] == {"69": 2, "01": 1, "75": 1, "38": 1, "total": 5}


def test_an_operator_name_like_a_formula_is_neutralised_in_both_formats(data, regional, settings):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    data.operator_a.name = '=HYPERLINK("http://x","y")'
    data.operator_a.save()
    csv = regional.get(f"/indicateurs/?{MARCH}&export=par-operateur&format=csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8-sig").splitlines()
    # The csv module doubles the quotes inside a quoted cell.
    assert lines[1] == '"\'=HYPERLINK(""http://x"",""y"")";4;s;5;4'
    xlsx = regional.get(f"/indicateurs/?{MARCH}&export=par-operateur&format=xlsx")
    cell = load_workbook(io.BytesIO(xlsx.content)).active["A2"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"  # a string, never a formula ("f")
    assert cell.quotePrefix


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_indicator_export_comes_from_the_one_writer(data, regional, settings, fmt):
    settings.STATISTICAL_SECRECY_THRESHOLD = 3
    response = regional.get(f"/indicateurs/?{MARCH}&export=indicateurs&format={fmt}")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "Indicateur;Code;Unité;mars 2026;Période précédente"
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[1]] == [
            "Indicateur",
            "Code",
            "Unité",
            "mars 2026",
            "Période précédente",
        ]
        assert sheet["A1"].font.b
