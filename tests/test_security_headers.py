"""Headers of every page, and templates without inline script or style (the CSP forbids both)."""

import re
from pathlib import Path

import pytest

from cep.models import Membership
from tests.factories import OperatorFactory, make_membership

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"\sstyle=\"")
# Documents made into files (PDF by WeasyPrint, the HTML inside the data archive), never
# served as pages.
PRINTED = {"synthese/document.html", "continuity/liaison_pdf.html", "space/data_export.html"}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(login_as):
    manager = make_membership(operator=OperatorFactory(), role=Membership.Role.MANAGER)
    client = login_as(manager)
    for url in ("/beneficiaires/", "/indicateurs/", "/transferts/", "/api/docs/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def templates() -> list[Path]:
    return [
        p
        for p in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in p.parts and "/".join(p.parts[-2:]) not in PRINTED
    ]


def test_no_template_has_an_inline_script_or_style():
    found = []
    for path in templates():
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_STYLE.search(text) or "<style" in text:
            found.append(str(path.relative_to(ROOT)))
    assert len(templates()) > 50
    assert found == []
