"""The board's filter bar and status line in a real browser (issue 11, items 8 and 10)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.models import Column
from tasks.models import Priority
from tests.e2e.test_board import column_of, drag, log_in, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_live_filters_hide_apply_show_clear_and_count_the_whole_column(
    page, live_server, project, intern
):
    for number in range(3):
        make_task(project, intern, title=f"Work {number}", column_name="In progress")
    make_task(project, intern, title="Urgent work", column_name="In progress", priority="urgent")
    Column.objects.filter(project=project, name="In progress").update(wip_limit=3)
    doing = Column.objects.get(project=project, name="In progress")

    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    filters = page.locator("form.board-filters")
    expect(filters.locator(".filters-apply")).to_be_hidden()  # filtering is live
    expect(filters.locator(".filters-clear")).to_be_hidden()
    header = page.locator(f"#column-{doing.pk}-header")
    expect(header.locator(".wip")).to_have_text("4 / 3")

    with page.expect_response(lambda response: "/board/" in response.url):
        filters.locator("select[name=priority]").select_option(Priority.URGENT)
    expect(filters.locator(".filters-clear")).to_be_visible()  # no reload needed
    expect(page).to_have_url(re.compile(r"priority=urgent"))
    expect(column_of(page, project, "In progress").locator(".task-card")).to_have_count(1)
    # The whole column still counts against its limit; the filtered count is beside it.
    expect(header.locator(".wip")).to_have_text("4 / 3")
    expect(header).to_have_class(re.compile("wip-over"))
    expect(header.locator(".wip-shown")).to_have_text("1 of 4 shown")


def test_back_after_filtering_puts_the_filters_back_into_the_inputs(
    page, live_server, project, intern
):
    make_task(project, intern, title="Alpha")
    make_task(project, intern, title="Beta", priority="high")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    filters = page.locator("form.board-filters")
    search = filters.locator("input[name=q]")
    priority = filters.locator("select[name=priority]")

    with page.expect_response(lambda response: "/board/" in response.url):
        priority.select_option("high")
    expect(page).to_have_url(re.compile(r"priority=high"))
    with page.expect_response(lambda response: "q=beta" in response.url):
        search.fill("beta")
    expect(page).to_have_url(re.compile(r"q=beta"))

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"q=beta"))
    expect(search).to_have_value("")
    expect(priority).to_have_value("high")
    expect(filters.locator(".filters-clear")).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"priority="))
    expect(priority).to_have_value("")
    expect(filters.locator(".filters-clear")).to_be_hidden()

    page.go_forward()
    expect(page).to_have_url(re.compile(r"priority=high"))
    expect(priority).to_have_value("high")


def refuse_a_move(page, live_server, project, intern):
    """Drag a card into a full column; the refusal's message, once shown."""
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    make_task(project, intern, title="Busy", column_name="In progress")
    task = make_task(project, intern, title="Waiting")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    drag(page, page.locator(f"#task-{task.pk}"), column_of(page, project, "In progress"))
    message = page.locator("#board-status .board-message-error")
    expect(message).to_contain_text("WIP limit")
    return message


def test_a_refusal_message_clears_itself(page, live_server, project, intern):
    message = refuse_a_move(page, live_server, project, intern)
    expect(message).to_have_count(0, timeout=12_000)


def test_a_refusal_message_clears_at_the_next_action(page, live_server, project, intern):
    message = refuse_a_move(page, live_server, project, intern)
    with page.expect_response(lambda response: "/board/" in response.url):
        page.locator("form.board-filters select[name=priority]").select_option("low")
    expect(message).to_have_count(0, timeout=2_000)
