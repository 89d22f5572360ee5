"""The one-time API token: a working copy button, and a reload that creates nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def test_copy_button_copies_the_new_token_and_reload_is_safe(browser, live_server, mentor):
    context = browser.new_context(locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", mentor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{reverse('api_tokens')}")
    page.fill("input[name=name]", "Scripts")
    page.click("form[action$='/tokens/'] button[type=submit]")
    field = page.locator("#new-token")
    token = field.input_value()
    assert token.startswith("ib_")

    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".secret-copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token

    page.reload()  # a GET: no "resubmit the form?" and no second token
    expect(page.locator("#new-token")).to_have_count(0)
    assert ApiToken.objects.filter(user=mentor).count() == 1
    page.goto("about:blank")
    context.close()
