"""The task dialog's "Move to" moves the card on the board in place (issue 11, item 4),
as drag and drop does, instead of leaving the board for the task page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects.models import Column
from tasks.models import Task
from tests.e2e.test_board import log_in, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_move_to_in_the_dialog_updates_the_board_without_leaving_it(
    page, live_server, project, intern
):
    task = make_task(project, intern, title="Dialog mover")
    make_task(project, intern, title="Already there", column_name="In progress")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    board_url = page.url
    page.click(f"#task-{task.pk} .task-title a")
    dialog = page.locator("#task-dialog")
    dialog.locator("#move-to select[name=column]").select_option(label="In progress")
    with page.expect_response(lambda response: "/move/" in response.url) as answer:
        dialog.locator("#move-to button[type=submit]").click()
    assert answer.value.status == 200

    doing = Column.objects.get(project=project, name="In progress")
    todo = Column.objects.get(project=project, name="To do")
    expect(page.locator(f"#column-{doing.pk} .card-list")).to_contain_text("Dialog mover")
    expect(page.locator(f"#column-{todo.pk} .card-list")).not_to_contain_text("Dialog mover")
    expect(page.locator(f"#column-{doing.pk}-header .wip")).to_have_text("2")
    # Still the board, the dialog open on the task as it is now, the result said in it.
    expect(page).to_have_url(f"{board_url}?task={task.pk}")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator("[data-task-column]")).to_have_text("In progress")
    expect(page.locator("#task-dialog-status")).to_have_text("Moved “Dialog mover” to In progress.")
    assert Task.objects.get(pk=task.pk).column_id == doing.pk

    # Moved again from the same dialog: it carries the new version.
    dialog.locator("#move-to select[name=column]").select_option(label="Review")
    with page.expect_response(lambda response: "/move/" in response.url) as again:
        dialog.locator("#move-to button[type=submit]").click()
    assert again.value.status == 200
    review = Column.objects.get(project=project, name="Review")
    expect(page.locator(f"#column-{review.pk} .card-list")).to_contain_text("Dialog mover")
    expect(page.locator(f"#task-{task.pk}")).to_have_count(1)


def test_a_refused_move_in_the_dialog_says_why_there(page, live_server, project, intern):
    task = make_task(project, intern, title="Not done yet", column_name="Review")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    page.click(f"#task-{task.pk} .task-title a")
    dialog = page.locator("#task-dialog")
    dialog.locator("#move-to select[name=column]").select_option(label="Done")
    with page.expect_response(lambda response: "/move/" in response.url) as answer:
        dialog.locator("#move-to button[type=submit]").click()
    assert answer.value.status == 400
    expect(page.locator("#task-dialog-status")).to_contain_text("requires review")
    expect(dialog).to_have_attribute("open", "")
    review = Column.objects.get(project=project, name="Review")
    expect(page.locator(f"#column-{review.pk} .card-list")).to_contain_text("Not done yet")
    assert Task.objects.get(pk=task.pk).column_id == review.pk
