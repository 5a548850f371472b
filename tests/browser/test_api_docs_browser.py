"""The API documentation renders under the Content-Security-Policy: the `page` fixture fails
the test on any violation (an inline style or script)."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_without_a_policy_violation(live_server, transactional_db, page):
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "API de la plateforme CEP" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary").first.wait_for()
    assert page.locator(".opblock-summary").count() > 10


def test_the_api_docs_page_says_its_language(client, db):
    html = client.get("/api/docs/").content.decode()
    assert '<html lang="fr">' in html
    assert "<main" in html
