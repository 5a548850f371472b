"""A conseiller watches a synthèse get ready without reloading the page, then asks for a new
version and downloads it."""

from pathlib import Path

import pytest

from synthese import services
from tests.browser.axe_check import assert_no_serious_violations
from tests.factories import PASSWORD
from tests.synthese.factories import SynthesisDocumentFactory, agreed_parcours

pytestmark = pytest.mark.browser


def test_the_page_updates_itself_then_a_new_version_is_downloaded(
    live_server, transactional_db, page
):
    parcours = agreed_parcours()
    queued = SynthesisDocumentFactory(
        parcours=parcours, number=1, project_version=parcours.project_versions.get()
    )
    page.goto(f"{live_server.url}/connexion/")
    page.locator("input[name=username]").fill(parcours.referent.user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")

    page.goto(f"{live_server.url}/synthese/parcours/{parcours.pk}/")
    row = page.locator(f"#synthese-{queued.pk}")
    assert "Cette page se met à jour d'elle-même" in row.inner_text()
    assert_no_serious_violations(page, "la synthèse en préparation")
    page.evaluate("window.pageNeverReloaded = true")

    services.render_synthesis(document_id=queued.pk)  # what the worker does

    page.get_by_role("link", name="Télécharger la version 1").wait_for()
    assert page.evaluate("window.pageNeverReloaded === true")  # htmx swapped the row only

    page.get_by_role("button", name="Préparer une nouvelle version de la synthèse").click()
    download_link = page.get_by_role("link", name="Télécharger la version 2")
    download_link.wait_for()
    assert_no_serious_violations(page, "les versions de la synthèse")
    with page.expect_download() as download:
        download_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename == "synthese-v2.pdf"
