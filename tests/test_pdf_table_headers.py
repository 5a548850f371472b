"""Table headers of the printed documents (the synthèse, the liaison file): every header cell
says what it heads, in the HTML (`scope`) and in the tagged PDF (PDF/UA).

WeasyPrint (70) does not write a /Scope attribute: it gives every TH an /ID and every TD the
/Headers of its column (and row) headers, computed from `scope` (a TH without `scope="row"` heads
its column). PDF/UA accepts either form (Matterhorn 15-003 asks for /Scope only in a table not
organised with Headers and IDs); these tests check the form it writes, and a /Scope if one comes.
"""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from synthese import services as synthese_services
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, make_membership
from tests.synthese.factories import agreed_parcours

SYNTHESE_TEMPLATES = Path(settings.BASE_DIR) / "synthese" / "templates"
LIAISON_TEMPLATES = ["continuity/liaison_pdf.html", "continuity/includes/liaison_sections.html"]
SCOPES = {"col", "row", "colgroup", "rowgroup"}


def structure_elements(pdf: bytes) -> list[dict]:
    """Every element of the PDF's structure tree, depth first, each with its parent's type."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]
    found = []

    def walk(node, parent_type):
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid, parent_type)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                found.append({"element": node, "parent": parent_type})
                parent_type = node["/S"]
            if "/K" in node:
                walk(node["/K"], parent_type)

    walk(root, None)
    return found


def check_table_cells(elements: list[dict]) -> tuple[list[DictionaryObject], list]:
    """The PDF/UA rule on each TH and TD; returns the TH and the TD elements."""
    headers = [e["element"] for e in elements if e["element"]["/S"] == "/TH"]
    cells = [e["element"] for e in elements if e["element"]["/S"] == "/TD"]
    ids = set()
    for th in headers:
        attributes = th["/A"]
        assert attributes["/O"] == "/Table"
        assert attributes.get("/Scope", "/Column") in ("/Column", "/Row", "/Both")
        assert th["/ID"] not in ids
        ids.add(th["/ID"])
    for td in cells:
        assert td["/A"]["/O"] == "/Table"
        assert td["/A"]["/Headers"], "a data cell without its header"
        assert set(td["/A"]["/Headers"]) <= ids
    return headers, cells


@pytest.mark.django_db
def test_the_synthese_pdf_gives_every_header_cell_its_column(django_capture_on_commit_callbacks):
    parcours = agreed_parcours()
    with django_capture_on_commit_callbacks(execute=True):
        document = synthese_services.request_synthesis(
            membership=parcours.referent, parcours=parcours
        )
    document.refresh_from_db()
    elements = structure_elements(Path(document.file.path).read_bytes())

    headers, cells = check_table_cells(elements)
    # Counted in synthese/document.html: services (Date, Service, Modalité, Niveau, Durée),
    # calendar (Date, Quoi, Intitulé), funding plan (Dépense, Coût, Financeurs, Accordé).
    assert len(headers) == 5 + 3 + 4
    assert {e["parent"] for e in elements if e["element"]["/S"] == "/TH"} == {"/TR"}
    # All are column headers: each data cell is headed by the one TH of its column, in its
    # table's first row (WeasyPrint's ids: "<table>-<row>-<column>").
    tables = {th["/ID"].split("-")[0] for th in headers}
    assert len(tables) == 3
    # 2 services by 5 columns, 1 cost line by 4 columns, and the calendar's rows by 3.
    assert len(cells) >= 10 + 4 + 3
    for td in cells:
        (header,) = td["/A"]["/Headers"]
        assert header.split("-")[1] == "0"
        assert header in {th["/ID"] for th in headers}


@pytest.mark.django_db
def test_the_liaison_pdf_walk_finds_its_structure_and_no_unscoped_header(login_as):
    operator = OperatorFactory(name="Opérateur Origine")
    counsellor = make_membership(operator=operator)
    person = BeneficiaryFactory(operator=operator, first_name="Gwenaëlle", last_name="Quéméner")
    parcours = ParcoursFactory(
        operator=operator, beneficiary=person, referent=counsellor, entry_level=2
    )
    response = login_as(counsellor).post(
        f"/parcours/{parcours.pk}/continuite/",
        {
            "action": "liaison",
            "liaison-recipient": "Association Cap Avenir",
            "liaison-categories": ["identite", "situation"],
            "liaison-consent_evidence": "Accord signé le 3 mars",
        },
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    sections = json.loads(archive.read("dossier-de-liaison.json"))["sections"]
    elements = structure_elements(archive.read("dossier-de-liaison.pdf"))

    types = [e["element"]["/S"] for e in elements]
    # Counted in cep/liaison_pdf.html and its include: no table (definition lists), so no TH;
    # the walk does reach the document's content: its title and one heading per section (at
    # least one each for the identity and the situation).
    assert len(sections) >= 2
    assert types.count("/H1") == 1 and types.count("/H3") == len(sections)
    headers, cells = check_table_cells(elements)
    assert (len(headers), len(cells)) == (0, 0)


def printed_templates() -> dict[str, str]:
    loader_engine = engines["django"].engine
    names = [str(p.relative_to(SYNTHESE_TEMPLATES)) for p in SYNTHESE_TEMPLATES.rglob("*.html")]
    return {name: loader_engine.find_template(name)[0].source for name in names + LIAISON_TEMPLATES}


def test_every_header_cell_of_the_printed_templates_has_a_scope():
    templates = printed_templates()
    assert "synthese/document.html" in templates and "continuity/liaison_pdf.html" in templates
    seen = 0
    for name, source in templates.items():
        source = re.sub(r"{#.*?#}", "", source)
        for match in re.finditer(r"<th\b[^>]*>", source, flags=re.IGNORECASE):
            seen += 1
            scope = re.search(r'\bscope="([^"]*)"', match.group(0))
            assert scope and scope.group(1) in SCOPES, f"{name}: {match.group(0)}"
        # A header in a <thead> heads a column.
        for head in re.findall(r"<thead\b.*?</thead>", source, flags=re.DOTALL | re.IGNORECASE):
            for cell in re.findall(r"<th\b[^>]*>", head, flags=re.IGNORECASE):
                assert 'scope="col"' in cell, f"{name}: {cell}"
    assert seen == 12  # the synthèse's three tables (5 + 3 + 4); the liaison file has none
