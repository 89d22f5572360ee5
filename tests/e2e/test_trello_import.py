"""A mentor moves a Trello board in, in a real browser: upload, adjust the preview, import."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tasks.models import Task
from tests.e2e.test_analytics import log_in
from tests.tasks.test_trello_import import DATA

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mentor_imports_a_trello_board_from_the_team_page(
    page, live_server, team, mentor, settings, tmp_path
):
    settings.TRELLO_IMPORT_DIR = tmp_path
    log_in(page, live_server, mentor.username)
    page.goto(f"{live_server.url}/teams/{team.pk}/")
    page.get_by_role("link", name="Import from Trello").click()
    page.locator("input[type=file][name=file]").set_input_files(str(DATA / "howgoesit.json"))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("How Goes It?")
    expect(page.locator(".import-counts")).to_contain_text("40 cards")
    row = page.locator("tr", has=page.locator("th", has_text="Available to Pickup"))
    row.locator("input[type=text]").fill("Ready to start")
    skipped = page.locator("tr", has=page.locator("th", has_text="Blocked by Dependencies"))
    skipped.locator("input[type=checkbox]").uncheck()
    page.get_by_role("button", name="Import").click()

    page.wait_for_url("**/board/")
    expect(page.locator(".messages")).to_contain_text("imported from Trello")
    expect(page.get_by_role("heading", name="Ready to start", exact=True)).to_be_visible()
    expect(page.locator("h2", has_text="Blocked by Dependencies")).to_have_count(0)
    assert Task.objects.count() == 36
