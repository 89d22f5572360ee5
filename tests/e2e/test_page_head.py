"""Every page's head: htmx injects no inline style under the strict CSP, and a favicon."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_htmx_injects_no_style_and_the_favicon_is_ours(page, live_server):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and csp_errors.append(message.text)
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_function("window.htmx !== undefined")
    # base.html's htmx-config meta uses the vendored htmx's own option name.
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0
    assert csp_errors == []

    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    assert icon.startswith("/static/")
    response = page.request.get(f"{live_server.url}{icon}")
    assert response.status == 200
    assert "svg" in response.headers["content-type"]
