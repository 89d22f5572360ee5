"""The archive in a real browser: from the board to the archived tasks, and one restored."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects.models import Column
from tasks import services
from tasks.models import Task
from tests.e2e.test_board import log_in, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_intern_finds_an_archived_task_from_the_board_and_restores_it(
    page, live_server, project, intern
):
    kept = make_task(project, intern, title="Still here")
    gone = make_task(project, intern, title="Put away", column_name="In progress")
    services.task_set_archived(task=gone, by=intern, archived=True)

    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    expect(page.locator(f"#task-{gone.pk}")).to_have_count(0)
    expect(page.locator(f"#task-{kept.pk}")).to_have_count(1)

    page.locator(".board-filters a.filters-archived").click()
    page.wait_for_url(f"**/tasks/?project={project.pk}&archived=1")
    expect(page.locator("h1")).to_have_text("Archived tasks")
    rows = page.locator(".task-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Put away")
    expect(rows.first).not_to_contain_text("Still here")

    with page.expect_navigation():
        rows.first.get_by_role("button", name=f"Restore {gone.key}").click()
    expect(page.locator(".messages")).to_contain_text("Task restored.")
    expect(page.locator(".task-table")).to_have_count(0)  # the archive is empty now
    assert page.url.endswith(f"/tasks/?project={project.pk}&archived=1")

    restored = Task.objects.get(pk=gone.pk)
    assert not restored.archived
    open_board(page, live_server, project)
    doing = Column.objects.get(project=project, name="In progress")
    expect(page.locator(f"#column-{doing.pk} #task-{gone.pk}")).to_have_count(1)
    # The history tells what happened in words of the archive.
    page.goto(f"{live_server.url}/tasks/{gone.pk}/")
    history = page.locator("ol.activity")
    expect(history).to_contain_text("archived")
    expect(history).to_contain_text("restored")
    expect(history).not_to_contain_text("deleted")


def test_the_switch_goes_back_to_the_live_tasks_with_the_same_filters(
    page, live_server, project, intern
):
    make_task(project, intern, title="Login page")
    archived = make_task(project, intern, title="Login form")
    services.task_set_archived(task=archived, by=intern, archived=True)
    log_in(page, live_server, "intern")
    page.goto(f"{live_server.url}/tasks/?q=login&archived=1")
    expect(page.locator(".task-table tbody tr")).to_have_count(1)
    expect(page.locator(".task-table")).to_contain_text("Login form")
    page.get_by_role("link", name="On the boards").click()
    page.wait_for_url("**/tasks/?q=login")
    expect(page.locator(".task-table")).to_contain_text("Login page")
    expect(page.locator(".task-table")).not_to_contain_text("Login form")
    expect(page.locator("input[name=q]")).to_have_value("login")
