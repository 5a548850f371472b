"""The accessibility declaration (/accessibilite/, RGAA model): public, honest about its state,
and reached from the footer of every page."""

import re
from pathlib import Path

import axe_playwright_python
import pytest
from django.urls import reverse

from cep import accessibility
from tests.factories import OperatorFactory, make_membership

pytestmark = pytest.mark.django_db


def test_the_declaration_states_what_the_rgaa_model_asks(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # the same page for everyone, nothing read
        response = client.get("/accessibilite/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Déclaration d'accessibilité</h1>" in html
    for heading in (
        "État de conformité",
        "Contrôles automatiques",
        "Contenus non accessibles",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "<strong>non conforme</strong>" in html
    assert "ne remplacent pas un audit" in html  # automated checks are not an audit
    assert "Dernière exécution des contrôles décrits ici : le 03/12/2026." in html
    assert "375 px et 1280 px" in html
    assert 'href="mailto:accessibilite@cep.example"' in html
    assert "Défenseur des droits" in html
    assert "Libre réponse 71120, 75342 Paris CEDEX 07" in html


def test_the_declared_axe_version_is_the_one_the_checks_run():
    engine = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()[:500]
    assert re.search(r"axe v(\d+\.\d+\.\d+)", engine)[1] == accessibility.AXE_VERSION
    assert f"axe-core {accessibility.AXE_VERSION}" in accessibility.AUTOMATED_CHECKS[0]


@pytest.mark.parametrize("who", ["anonymous", "counsellor"])
def test_the_footer_links_to_it(client, who):
    if who == "counsellor":
        client.force_login(make_membership(operator=OperatorFactory()).user)
        page = reverse("caseload")
    else:
        page = reverse("login")
    html = client.get(page).content.decode()
    assert (
        '<a class="fr-footer__bottom-link" href="/accessibilite/">'
        "Accessibilité : non conforme</a>" in html
    )
