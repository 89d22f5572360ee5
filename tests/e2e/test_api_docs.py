"""Swagger UI and ReDoc render in a real browser from our own static files only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", ".opblock"), ("/api/redoc/", "[data-section-id]")],
)
def test_api_docs_render_offline(page, live_server, path, rendered):
    outside: list[str] = []
    csp_errors: list[str] = []

    def left_the_site(request) -> None:
        # A request the CSP blocked (ReDoc's hard-coded vendor logo) never leaves.
        if (
            not request.url.startswith((live_server.url, "data:", "blob:"))
            and request.failure != "csp"
        ):
            outside.append(request.url)

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_errors.append(message.text)

    page.on("requestfinished", left_the_site)
    page.on("requestfailed", left_the_site)
    page.on("console", console)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(rendered).first).to_be_visible(timeout=15_000)
    assert outside == []
    # Only that logo may be refused; the docs themselves run under the CSP.
    assert [error for error in csp_errors if "logo-mini.svg" not in error] == []
