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
    requested: list[str] = []
    csp_errors: list[str] = []

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_errors.append(message.text)

    # Every request the page starts, including ones the CSP would refuse
    # (ReDoc's bundle used to fetch its vendor's logo from cdn.redoc.ly).
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", console)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(rendered).first).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert requested
    assert [
        url for url in requested if not url.startswith((f"{live_server.url}/", "data:", "blob:"))
    ] == []
    assert csp_errors == []


def test_redoc_sidebar_still_renders_without_the_outside_logo(page, live_server):
    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.get_by_text("API docs by Redocly")).to_be_visible(timeout=15_000)
    assert page.locator("img[src*='redoc.ly']").count() == 0
