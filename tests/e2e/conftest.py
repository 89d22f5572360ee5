"""Browser tests: Playwright's Python package driving the system Chromium.

They need /usr/bin/chromium (Debian's package; .ci/run installs it) and skip
with that reason elsewhere, unless REQUIRE_SERVICES is set (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import require_services

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls made
    by fixtures around it are still plain synchronous code, so Django's async
    guard must stand down for these tests only."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(allow_orm_beside_playwright):
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if require_services():
            pytest.fail(f"REQUIRE_SERVICES is set but no Chromium at {CHROMIUM}")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium, as .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    # Leave the app first, so no poll or htmx request is still being served
    # (holding a database connection) when the test database is dropped.
    page.goto("about:blank")
    page.wait_for_timeout(100)
    context.close()
