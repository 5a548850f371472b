"""No internal code or enum value is shown to a person (issue 21 §6): pages, PDFs, e-mails.

Two walks:
- every template (pages, PDFs, e-mails, .html and .txt) is read: a variable whose last name is a
  field with choices on some model (``{{ parcours.status }}``) is an enum value rendered raw,
  unless shown through ``get_…_display`` or reviewed below (free text of the same name, a level
  number, a label already);
- the pages of a full parcours (its file page and every page it links to), its synthèse PDF,
  the e-mail of a reassignment and the managers' pages and CSV exports are rendered: no code of
  any nomenclature (``salarie_cdi``, ``de_a``: every choice value with an underscore) appears
  in the text a person reads.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail

from cep.managers import services as manager_services
from tests.factories import make_membership
from tests.synthese.conftest import pdf_text
from tests.synthese.factories import agreed_parcours

ROOT = Path(settings.BASE_DIR)

# Reviewed: (template, expression) whose name is a choice field's elsewhere but is no enum here.
REVIEWED = {
    # A plan change's kind is already a French word ("ajouté", "corrigé", "retiré").
    ("accompagnement/templates/accompagnement/diff.html", "change.kind"),
    # The item kinds of a plan come from labels ("Action", "Formation"), never codes.
    ("accompagnement/templates/accompagnement/item_delete.html", "kind"),
    ("accompagnement/templates/accompagnement/plan.html", "kind"),
    ("synthese/templates/synthese/document.html", "kind"),
    # Free text: the motive of an orientation, a transfer, a liaison file, a reassignment.
    ("accueil/templates/accueil/request_detail.html", "routing.reason"),
    ("cep/continuity/templates/continuity/continuity.html", "liaison.reason"),
    ("cep/continuity/templates/continuity/continuity.html", "transfer.reason"),
    ("cep/continuity/templates/continuity/transfer_incoming.html", "transfer.reason"),
    ("cep/space/templates/space/transfers.html", "transfer.reason"),
    ("cep/managers/templates/managers/reassignment_email.txt", "reason"),
    ("conseil/templates/conseil/interviews.html", "assignment.reason"),
    # Free text: what the counsellor answered to a request of the personal space.
    ("cep/space/templates/space/file_block.html", "item.outcome"),
    ("cep/space/templates/space/requests.html", "item.outcome"),
    # The levels 1, 2, 3 are what a counsellor and a person say ("niveau 2").
    ("cep/managers/templates/managers/counsellor.html", "p.current_level"),
    ("cep/managers/templates/managers/followup.html", "p.current_level"),
    ("synthese/templates/synthese/document.html", "service.level"),
    ("templates/cep/beneficiary_detail.html", "parcours.entry_level"),
    ("templates/cep/beneficiary_detail.html", "service.level"),
    ("templates/cep/caseload.html", "parcours.current_level"),
    # Texts built in Python in French: a change of a figure ("+12 %"), an alert's title, the
    # accessibility status.
    ("indicateurs/templates/indicateurs/dashboard.html", "figure.change"),
    ("templates/cep/caseload.html", "alert.kind"),
    ("templates/base.html", "SITE_CONFIG.accessibility_status"),
    ("templates/cep/accessibility.html", "status"),
}

VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*(\|[^}]*)?\}\}")


def choice_fields() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and getattr(field, "choices", None)
    }


def project_templates() -> list[Path]:
    found = []
    for pattern in ("templates/**/*", "*/templates/**/*", "cep/*/templates/**/*"):
        found += [p for p in ROOT.glob(pattern) if p.is_file() and ".venv" not in p.parts]
    return sorted(set(found))


def test_the_walk_reads_the_pages_pdfs_and_emails():
    names = {str(p.relative_to(ROOT)) for p in project_templates()}
    assert "templates/base.html" in names
    assert "synthese/templates/synthese/document.html" in names
    assert "cep/managers/templates/managers/reassignment_email.txt" in names
    assert len(names) > 80


def test_no_template_renders_an_enum_value_raw():
    fields = choice_fields()
    assert {"status", "employment_status", "sex", "kind"} <= fields
    raw = []
    for path in project_templates():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        for match in VARIABLE.finditer(text):
            expression = match.group(1)
            before = text[: match.start()]
            if before.rfind("<") > before.rfind(">"):
                continue  # inside a tag: an attribute (value=, id=, data-), not shown
            if expression.split(".")[-1] in fields and (name, expression) not in REVIEWED:
                raw.append(f"{name}:{before.count(chr(10)) + 1}: {match.group(0)}")
    assert raw == []


def test_the_walk_finds_an_enum_rendered_raw():
    """The walk is no empty check: a template showing {{ beneficiary.employment_status }} fails."""
    fields = choice_fields()
    sample = "<p>{{ beneficiary.employment_status }}</p><p>{{ b.get_sex_display }}</p>"
    found = [m.group(1) for m in VARIABLE.finditer(sample) if m.group(1).split(".")[-1] in fields]
    assert found == ["beneficiary.employment_status"]
    known = codes()
    html = '<p title="x">Situation : salarie_cdi.</p><a href="/de_a/">lien</a><script>de_b</script>'
    assert codes_in(visible_text(html), known) == ["salarie_cdi"]


# --- What is rendered ---------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:  # what a person reads or hears of a tag
            if name in ("title", "aria-label", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def codes() -> set[str]:
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    found.add(value)
    return found


def codes_in(text: str, known: set[str]) -> list[str]:
    return sorted(c for c in known if re.search(rf"(?<![\w/-]){re.escape(c)}(?![\w/-])", text))


@pytest.mark.django_db
def test_the_pages_of_a_parcours_its_pdf_and_an_email_show_no_code(
    login_as, django_capture_on_commit_callbacks
):
    from synthese import services as synthese_services

    known = codes()
    assert {"salarie_cdi", "de_a"} <= known
    parcours = agreed_parcours()
    client = login_as(parcours.referent)
    file_page = client.get(f"/beneficiaires/{parcours.beneficiary_id}/").content.decode()
    links = sorted(
        set(
            re.findall(r'href="(/(?:conseil|accompagnement|synthese|parcours)/[^"?#]+)"', file_page)
        )
    )
    assert links, "the file page links to the parcours' pages"
    shown = {"file page": visible_text(file_page)}
    for link in links:
        response = client.get(link)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            shown[link] = visible_text(response.content.decode())
    assert len(shown) > 3, shown.keys()
    with django_capture_on_commit_callbacks(execute=True):
        document = synthese_services.request_synthesis(
            membership=parcours.referent, parcours=parcours
        )
    document.refresh_from_db()
    shown["synthèse PDF"] = pdf_text(document.file.path)
    manager = make_membership(operator=parcours.operator, role="manager")
    colleague = make_membership(operator=parcours.operator)
    manager_services.reassign_parcours(
        membership=manager, parcours_ids=[parcours.pk], to=colleague, reason="Congé"
    )
    (message,) = mail.outbox
    shown["reassignment e-mail"] = f"{message.subject}\n{message.body}"
    # The managers' pages and their exports (CSV) of that operator.
    manager_client = login_as(manager)
    for url in (
        "/gestion/equipe/",
        "/gestion/equipe/?format=csv",
        "/gestion/a-suivre/?liste=sans-activite",
        "/gestion/a-suivre/?liste=sans-activite&format=csv",
        f"/gestion/equipe/{colleague.pk}/",
    ):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        shown[url] = body if "csv" in url else visible_text(body)

    assert {where: codes_in(text, known) for where, text in shown.items()} == {
        where: [] for where in shown
    }


def test_no_template_writes_an_amount_without_the_euros_filter():
    """ "{{ amount }} €" shows "6500.00 €": every amount goes through |euros (6 500,00 €)."""
    raw = []
    for path in project_templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{\{[^}]*\}\}\s*(€|&nbsp;€|euros?\b)", text):
            raw.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert raw == []
