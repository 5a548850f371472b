"""The one CSV/XLSX writer (cep.exports): formulas neutralised, numbers and dates kept, French
formats; and every manager list downloaded through the test client comes out neutralised."""

import csv
import datetime
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from cep.exports import (
    ExportTable,
    csv_text,
    export_response,
    neutralise,
    sheet_name,
    to_csv,
    to_xlsx,
)
from cep.models import AuditEvent, Membership, Parcours
from tests.factories import (
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    UserFactory,
    make_membership,
)

FORMULA = '=HYPERLINK("http://x","y")'


# The neutralising rule, on each leading character


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\ry", "'\ry"),
        (FORMULA, '\'=HYPERLINK("http://x","y")'),
        ("Dupont", "Dupont"),
        ("Jean-Pierre", "Jean-Pierre"),  # a trigger further in is harmless
        ("", ""),
        (" =1+1", " =1+1"),
    ],
)
def test_text_starting_like_a_formula_gets_an_apostrophe(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    "value",
    [Decimal("-5"), -5, -1.5, 0, date(2026, 3, 5), None, True],
)
def test_numbers_dates_and_empty_values_are_not_text(value):
    assert neutralise(value) is value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("-5"), "-5"),
        (Decimal("6200.00"), "6200,00"),
        (-4, "-4"),
        (12.5, "12,5"),
        (1e-05, "0,00001"),
        (date(2026, 3, 5), "05/03/2026"),
        # 09:30 UTC is 10:30 in Paris in winter.
        (datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC), "15/01/2026 10:30"),
        (True, "Oui"),
        (False, "Non"),
        (None, ""),
        ("-5", "'-5"),
        ("Dupont", "Dupont"),
    ],
)
def test_csv_cells_in_french(value, expected):
    assert csv_text(value) == expected


def test_an_absent_value_can_have_a_marker():
    assert csv_text(None, blank="s") == "s"


# The writers

TABLE = ExportTable(
    title="Parcours : ouverts / clos [2026]",
    columns=["Mois", "Ouverts", "Taux de clôture"],
    rows=[
        ["janv. 2026", 1234, 12.5],
        ["févr. 2026", None, 0.25],
        ["=1+1", 3, None],
        ["-2+3", -4, -1.5],
        ["@SUM(A1)", 0, 0.0],
    ],
    blank="s",
)


def test_csv_has_bom_semicolons_and_masked_values():
    content = to_csv(TABLE)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Mois;Ouverts;Taux de clôture",
        "janv. 2026;1234;12,5",
        "févr. 2026;s;0,25",
        "'=1+1;3;s",
        "'-2+3;-4;-1,5",
        "'@SUM(A1);0;0,0",
    ]


def test_csv_neutralises_tab_and_carriage_return_starts():
    table = ExportTable(title="t", columns=["a", "b"], rows=[["\tx", "\ry"]])
    row = to_csv(table).decode("utf-8-sig").split("\r\n")[1]
    assert row == "'\tx;\"'\ry\""  # the csv module quotes the carriage return


def test_csv_header_is_neutralised_too():
    table = ExportTable(title="t", columns=["=a", "b"], rows=[])
    assert to_csv(table).decode("utf-8-sig").splitlines() == ["'=a;b"]


def test_csv_reads_rows_from_a_generator():
    table = ExportTable(title="t", columns=["n"], rows=([i] for i in range(3)))
    assert to_csv(table).decode("utf-8-sig").splitlines() == ["n", "0", "1", "2"]


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_xlsx_header_numbers_and_masked_values():
    sheet = read_xlsx(to_xlsx(TABLE))
    assert sheet.title == "Parcours ouverts clos 2026"
    header = sheet[1]
    assert [c.value for c in header] == ["Mois", "Ouverts", "Taux de clôture"]
    assert all(c.font.b for c in header)
    assert not sheet["A2"].font.b
    assert (sheet["B2"].value, sheet["B2"].data_type) == (1234, "n")
    assert (sheet["C2"].value, sheet["C2"].data_type) == (12.5, "n")
    assert (sheet["B3"].value, sheet["B3"].data_type) == ("s", "s")
    assert (sheet["C4"].value, sheet["C4"].data_type) == ("s", "s")
    assert sheet["B5"].value == -4
    assert sheet.column_dimensions["A"].width >= len("janv. 2026")
    assert sheet.column_dimensions["C"].width <= 50


def test_xlsx_formula_looking_text_stays_a_string():
    sheet = read_xlsx(to_xlsx(TABLE))
    for coordinate, text in [("A4", "=1+1"), ("A5", "-2+3"), ("A6", "@SUM(A1)")]:
        assert sheet[coordinate].value == text
        assert sheet[coordinate].data_type == "s"
        assert sheet[coordinate].quotePrefix
    assert not sheet["A2"].quotePrefix


def test_xlsx_keeps_decimals_dates_and_says_oui_non():
    table = ExportTable(
        title="Mélange",
        columns=["montant", "date", "horodatage", "RQTH", "vide", "texte"],
        rows=[
            [
                Decimal("-5"),
                date(2026, 3, 5),
                datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC),
                True,
                None,
                "-5",
            ]
        ],
    )
    sheet = read_xlsx(to_xlsx(table))
    assert (sheet["A2"].value, sheet["A2"].data_type) == (-5, "n")
    assert sheet["B2"].value == datetime.datetime(2026, 3, 5)  # openpyxl reads dates back so
    assert sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet["C2"].value == datetime.datetime(2026, 7, 1, 10, 0)  # Paris, summer time
    assert sheet["D2"].value == "Oui"
    assert sheet["E2"].value is None
    assert (sheet["F2"].value, sheet["F2"].data_type, sheet["F2"].quotePrefix) == ("-5", "s", True)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Parcours : ouverts / clos [2026]", "Parcours ouverts clos 2026"),
        ("a*b?c\\d", "a b c d"),
        ("Indicateurs trimestriels des opérateurs du CEP", "Indicateurs trimestriels des op"),
        ("[]", "Export"),
        ("'Bilan'", "Bilan"),
    ],
)
def test_sheet_name_is_accepted_by_excel(title, expected):
    assert sheet_name(title) == expected
    assert len(sheet_name(title)) <= 31


def test_export_response_csv():
    response = export_response(TABLE, fmt="csv", filename="indicateurs-2026-01")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="indicateurs-2026-01.csv"'
    assert response.content == to_csv(TABLE)


def test_export_response_xlsx():
    response = export_response(TABLE, fmt="xlsx", filename="indicateurs-2026-01")
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="indicateurs-2026-01.xlsx"'
    assert read_xlsx(response.content)["B2"].value == 1234


def test_export_response_encodes_unusual_filenames():
    response = export_response(TABLE, fmt="csv", filename='bilan "été"\r\nX-Injected: 1')
    header = response["Content-Disposition"]
    assert "\n" not in header
    assert header.startswith("attachment; filename*=utf-8''bilan%20%22%C3%A9t%C3%A9%22")


@pytest.mark.parametrize("fmt", ["pdf", "CSV", ""])
def test_export_response_rejects_unknown_format(fmt):
    with pytest.raises(ValueError):
        export_response(TABLE, fmt=fmt, filename="indicateurs")


# Every manager list, downloaded as a manager would


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def formula_team(db):
    """A counsellor and three people whose names start like formulas; a manager."""
    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    counsellor = make_membership(
        operator=operator, user=UserFactory(first_name=FORMULA, last_name="Martin")
    )
    today = timezone.localdate()
    # Level 1, never contacted, opened 400 days ago: without activity and without an answer.
    stale = ParcoursFactory(
        operator=operator,
        beneficiary=BeneficiaryFactory(operator=operator, first_name="-2+3", last_name="Durand"),
        referent=counsellor,
        entry_level=1,
        opened_on=today - timedelta(days=400),
    )
    orphan = ParcoursFactory(
        operator=operator,
        beneficiary=BeneficiaryFactory(operator=operator, first_name="@SUM(A1)", last_name="Roy"),
        referent=None,
        entry_level=2,
        opened_on=today - timedelta(days=10),  # recent: not without activity
    )
    return {"manager": manager, "counsellor": counsellor, "stale": stale, "orphan": orphan}


def test_the_team_export_neutralises_a_counsellors_name(formula_team, login_as):
    client = login_as(formula_team["manager"])
    rows = csv_rows(client.get("/gestion/equipe/", {"format": "csv"}))
    assert rows[0][:2] == ["conseiller", "rôle"]
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x","y") Martin' in names
    assert not any(name.startswith("=") for name in names)


def test_the_caseload_export_neutralises_a_persons_name(formula_team, login_as):
    client = login_as(formula_team["manager"])
    counsellor = formula_team["counsellor"]
    response = client.get(f"/gestion/equipe/{counsellor.pk}/", {"format": "csv"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="portefeuille-{counsellor.pk}.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "bénéficiaire",
        "niveau",
        "ouvert le",
        "dernier contact",
        "prochaine échéance",
    ]
    opened = formula_team["stale"].opened_on
    assert rows[1:] == [["'-2+3 Durand", "1", f"{opened:%d/%m/%Y}", "", ""]]


@pytest.mark.parametrize(
    ("liste", "expected"),
    [
        ("sans-referent", "orphan"),
        ("sans-activite", "stale"),
        ("sans-reponse", "stale"),
    ],
)
def test_every_followup_list_export_is_neutralised(formula_team, login_as, liste, expected):
    client = login_as(formula_team["manager"])
    response = client.get("/gestion/a-suivre/", {"liste": liste, "format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{liste}.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["bénéficiaire", "niveau", "ouvert le", "dernier contact", "référent"]
    if expected == "orphan":
        opened = formula_team["orphan"].opened_on
        expected = [["'@SUM(A1) Roy", "2", f"{opened:%d/%m/%Y}", "", ""]]
    else:
        opened = formula_team["stale"].opened_on
        expected = [
            [
                "'-2+3 Durand",
                "1",
                f"{opened:%d/%m/%Y}",
                "",
                '\'=HYPERLINK("http://x","y") Martin',
            ]
        ]
    assert rows[1:] == expected
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details == {"export": liste, "lignes": 1}


@pytest.mark.django_db
def test_the_retention_export_neutralises_a_persons_name(login_as, settings):
    settings.FILE_RETENTION_DAYS = 730
    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    last = timezone.localdate() - timedelta(days=800)
    ParcoursFactory(
        operator=operator,
        beneficiary=BeneficiaryFactory(operator=operator, first_name=FORMULA, last_name="Petit"),
        opened_on=last - timedelta(days=100),
        last_contact_on=last,
        closed_on=last,
        closing_reason=Parcours.ClosingReason.COMPLETED,
    )
    response = login_as(manager).get("/gestion/conservation/", {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="conservation.csv"'
    assert csv_rows(response) == [
        ["Personne", "Dernier contact", "Décision"],
        ['\'=HYPERLINK("http://x","y") Petit', f"{last:%d/%m/%Y}", "Sera anonymisé"],
    ]
