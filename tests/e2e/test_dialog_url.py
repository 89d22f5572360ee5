"""An open card has a URL (issue 11, item 7): opening it pushes ?task=<id>, loading that
URL opens the board with the dialog, Back closes it, and another team's task never shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_board import log_in, open_board
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_card_url_opens_reloads_and_goes_back(page, live_server, project, intern):
    task = make_task(project, intern, title="Shareable card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    board_url = page.url
    dialog = page.locator("#task-dialog")

    page.click(f"#task-{task.pk} .task-title a")
    expect(dialog.locator(f"#task-body-{task.pk}")).to_be_visible()
    expect(page).to_have_url(f"{board_url}?task={task.pk}")

    # Back closes the dialog and stays on the board.
    page.go_back()
    expect(dialog).not_to_have_attribute("open", "")
    expect(page).to_have_url(board_url)
    expect(page.locator(f"#task-{task.pk}")).to_be_visible()
    # Forward opens it again.
    page.go_forward()
    expect(dialog.locator(f"#task-body-{task.pk}")).to_be_visible()
    expect(page).to_have_url(f"{board_url}?task={task.pk}")

    # The URL shared or reloaded opens the board with the dialog.
    page.reload()
    page.wait_for_load_state("load")
    expect(dialog.locator(f"#task-body-{task.pk}")).to_be_visible()
    expect(dialog.locator(".task-heading")).to_have_text("Shareable card")
    # Closing drops ?task= from the URL.
    page.click("#task-dialog [data-close-dialog]")
    expect(dialog).not_to_have_attribute("open", "")
    expect(page).to_have_url(board_url)


def test_closing_the_dialog_takes_its_entry_out_of_history(page, live_server, project, intern):
    task = make_task(project, intern, title="Round trip")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    board_url = page.url
    page.click(f"#task-{task.pk} .task-title a")
    expect(page).to_have_url(f"{board_url}?task={task.pk}")
    page.keyboard.press("Escape")
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")
    expect(page).to_have_url(board_url)
    # Back now leaves the board for the page before it, not to the closed card.
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/")


def test_the_card_url_keeps_the_boards_filters(page, live_server, project, intern):
    task = make_task(project, intern, title="Filtered card")
    log_in(page, live_server, "intern")
    page.goto(f"{live_server.url}/projects/{project.pk}/board/?q=Filtered")
    page.wait_for_load_state("load")
    page.click(f"#task-{task.pk} .task-title a")
    expect(page).to_have_url(re.compile(rf"\?q=Filtered&task={task.pk}$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=Filtered$"))


def test_another_teams_task_in_the_url_opens_no_dialog(
    page, live_server, project, intern, other_team, outsider
):
    secret = make_task(ProjectFactory(team=other_team, key="SEC"), outsider, title="Secret plan")
    log_in(page, live_server, "intern")
    board = f"{live_server.url}/projects/{project.pk}/board/"
    with page.expect_response(lambda response: f"/tasks/{secret.pk}/" in response.url) as answer:
        page.goto(f"{board}?task={secret.pk}")
    assert answer.value.status == 404
    expect(page).to_have_url(board)  # the id is dropped from the URL
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")
    expect(page.locator("body")).not_to_contain_text("Secret plan")
    # Junk is ignored without a request.
    page.goto(f"{board}?task=<script>")
    page.wait_for_load_state("load")
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")
