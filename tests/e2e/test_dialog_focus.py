"""Keyboard users keep their place (issue 11, item 6): focus goes back to the card after
closing its dialog and after a keyboard move, results are announced in a polite live
region, and shortcuts (listed in the "?" overlay) move between cards and columns."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects.models import Column
from tasks.models import Task
from tests.e2e.test_board import log_in, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def title_link(page, task):
    return page.locator(f"#task-{task.pk} .task-title a")


def test_closing_the_dialog_gives_focus_back_to_its_card(page, live_server, project, intern):
    make_task(project, intern, title="Above")
    task = make_task(project, intern, title="Opened")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    title_link(page, task).focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#task-dialog[open] #task-body-{task.pk}")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")
    expect(title_link(page, task)).to_be_focused()

    # Also with the Close button after an edit, when the board refreshes the card's column.
    title_link(page, task).click()
    field = page.locator(f"#task-{task.pk}-field-title")
    field.locator("[data-inline-open]").click()
    field.locator("input[name=title]").fill("Opened and renamed")
    field.locator("input[name=title]").press("Enter")
    expect(field.locator("[data-inline-feedback]")).to_have_text("Saved.")
    with page.expect_response(lambda response: "/board/changes/" in response.url):
        page.click("#task-dialog [data-close-dialog]")
    page.wait_for_timeout(300)  # the poll's answer re-renders the column
    expect(title_link(page, task)).to_have_text("Opened and renamed")
    expect(title_link(page, task)).to_be_focused()


def test_a_keyboard_move_keeps_focus_on_the_card_and_announces_it(
    page, live_server, project, intern
):
    task = make_task(project, intern, title="Keyboard mover")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    title_link(page, task).focus()
    page.keyboard.press("m")  # opens "Move to…" for the focused card
    select = page.locator("#move-dialog[open] select[name=column]")
    expect(select).to_be_focused()
    select.select_option(label="In progress")
    with page.expect_response(lambda response: "/move/" in response.url):
        page.locator("#move-dialog button[type=submit]").press("Enter")
    doing = Column.objects.get(project=project, name="In progress")
    expect(page.locator(f"#column-{doing.pk} .card-list")).to_contain_text("Keyboard mover")
    expect(title_link(page, task)).to_be_focused()
    status = page.locator("#board-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("Moved “Keyboard mover” to In progress.")
    assert Task.objects.get(pk=task.pk).column_id == doing.pk


def test_a_refused_keyboard_move_keeps_focus_on_the_card(page, live_server, project, intern):
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    make_task(project, intern, title="Busy", column_name="In progress")
    task = make_task(project, intern, title="Refused mover")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    title_link(page, task).focus()
    page.keyboard.press("m")
    page.locator("#move-dialog select[name=column]").select_option(label="In progress")
    page.locator("#move-dialog button[type=submit]").press("Enter")
    expect(page.locator("#board-status .board-message-error")).to_contain_text("WIP limit")
    expect(title_link(page, task)).to_be_focused()


def test_shortcuts_move_between_cards_and_columns_but_not_while_typing(
    page, live_server, project, intern
):
    first = make_task(project, intern, title="Todo one")
    second = make_task(project, intern, title="Todo two")
    doing = make_task(project, intern, title="Doing one", column_name="In progress")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)

    page.keyboard.press("j")  # nothing focused yet: the first card
    expect(title_link(page, first)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(title_link(page, second)).to_be_focused()
    page.keyboard.press("l")
    expect(title_link(page, doing)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(title_link(page, first)).to_be_focused()
    page.keyboard.press("k")
    expect(title_link(page, first)).to_be_focused()  # the top stays the top

    # Typing in a field is typing.
    search = page.locator(".board-filters input[name=q]")
    search.focus()
    page.keyboard.type("jk?")
    expect(search).to_have_value("jk?")
    expect(page.locator("#shortcuts-dialog")).not_to_have_attribute("open", "")

    # "?" lists the shortcuts; Esc closes the list.
    title_link(page, doing).focus()
    page.keyboard.press("?")
    overlay = page.locator("#shortcuts-dialog")
    expect(overlay).to_have_attribute("open", "")
    expect(overlay).to_contain_text("Move the card to another column")
    page.keyboard.press("Escape")
    expect(overlay).not_to_have_attribute("open", "")
    # The button in the header opens it too.
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(overlay).to_have_attribute("open", "")
