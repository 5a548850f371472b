"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

No browser is ever downloaded: Playwright launches the system Chromium at /usr/bin/chromium.
"""

import os
from pathlib import Path

import pytest

from tests.real_clock import real_clock_env

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM calls made
# from that thread (live_server set-up, call_command) unless this is set.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            env=real_clock_env(),  # Chromium hangs under libfaketime
        )
        try:
            yield browser
        finally:
            browser.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def watch_console(page, problems: list[str]) -> None:
    """Every console error and every uncaught script exception of the page goes to problems:
    the test then fails, whatever it clicked (a DSFR script failing on a malformed header, a
    Content-Security-Policy violation, a missing static file)."""

    def on_console(message) -> None:
        if message.type != "error":
            return
        # The page's own document answering 400 or 404 (a form sent back with its errors, a
        # link that no longer exists) is what the test asked for; Chromium still logs it.
        # A script, a style or an image that fails to load is a problem.
        own_document = message.location.get("url") == page.url
        if own_document and message.text.startswith("Failed to load resource"):
            return
        problems.append(f"{page.url} console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url} script error: {error}"))


@pytest.fixture
def open_page(browser):
    """open_page(viewport=PHONE) gives a new page in a context of its own (its own cookies),
    watched like `page`."""
    contexts, problems = [], []

    def open_(viewport=DESKTOP):
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch_console(page, problems)
        return page

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()
    assert not problems, problems


@pytest.fixture
def page(open_page):
    """A desktop page whose console is watched: any console error fails the test."""
    return open_page()
