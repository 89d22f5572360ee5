"""The task dialog edits in place (issue 11, item 5): click a value, Enter or leaving
the field saves, Esc cancels that field only, feedback shows next to the field, and
closing the dialog with text typed and not saved asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tasks.models import Task
from tests.e2e.test_board import log_in, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def open_card(page, task) -> None:
    page.click(f"#task-{task.pk} .task-title a")
    expect(page.locator(f"#task-dialog[open] #task-body-{task.pk}")).to_be_visible()


def field(page, task, name: str):
    return page.locator(f"#task-{task.pk}-field-{name}")


def saved(page, task, name: str) -> None:
    expect(field(page, task, name).locator("[data-inline-feedback]")).to_have_text("Saved.")


@pytest.fixture
def task(project, intern):
    return make_task(project, intern, title="Plain title", description="First line")


def test_fields_edit_in_place_with_enter_blur_and_ctrl_enter(
    page, live_server, project, intern, mentor, task
):
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    open_card(page, task)
    # The whole form is the no-JavaScript way; here it is hidden.
    expect(page.locator("#task-dialog [data-inline-fallback]")).to_be_hidden()

    # Title: click the value, type, Enter saves; the board's card follows.
    title = field(page, task, "title")
    title.locator(".task-heading").click()
    editor = title.locator("input[name=title]")
    expect(editor).to_be_focused()
    editor.fill("Sharper title")
    editor.press("Enter")
    saved(page, task, "title")
    expect(title.locator(".task-heading")).to_have_text("Sharper title")
    expect(title.locator("[data-inline-editor]")).to_be_hidden()
    expect(page.locator(f"#task-{task.pk} .task-title a")).to_have_text("Sharper title")

    # Description: Enter is a new line, Ctrl+Enter saves; Markdown renders.
    description = field(page, task, "description")
    description.locator("[data-inline-open]").click()
    box = description.locator("textarea")
    box.fill("Line one")
    box.press("Enter")
    box.type("**Line two**")
    expect(description.locator("[data-inline-editor]")).to_be_visible()
    box.press("Control+Enter")
    saved(page, task, "description")
    expect(description.locator(".markdown strong")).to_have_text("Line two")

    # Priority and assignee: leaving the field (blur) saves it.
    priority = field(page, task, "priority")
    priority.locator("[data-inline-open]").click()
    priority.locator("select").select_option("urgent")
    field(page, task, "assignee").locator("[data-inline-open]").click()  # focus moves on
    saved(page, task, "priority")
    expect(priority.locator(".inline-display")).to_contain_text("Urgent")
    assignee = field(page, task, "assignee")
    assignee.locator("select").select_option(label=mentor.display_name)
    assignee.locator("select").press("Enter")
    saved(page, task, "assignee")

    # Due date and estimate.
    due = field(page, task, "due_on")
    due.locator("[data-inline-open]").click()
    due.locator("input[name=due_on]").fill("2031-03-04")
    due.locator("input[name=due_on]").press("Enter")
    saved(page, task, "due_on")
    estimate = field(page, task, "estimate")
    estimate.locator("[data-inline-open]").click()
    estimate.locator("input[name=estimate]").fill("5")
    estimate.locator("button[type=submit]").click()
    saved(page, task, "estimate")

    fresh = Task.objects.get(pk=task.pk)
    assert fresh.title == "Sharper title"
    assert fresh.description.splitlines() == ["Line one", "**Line two**"]
    assert fresh.priority == "urgent"
    assert fresh.assignee == mentor
    assert str(fresh.due_on) == "2031-03-04"
    assert fresh.estimate == 5
    # Each save sent the version the one before returned: none conflicted.
    assert fresh.version == task.version + 6


def test_labels_are_picked_in_place(page, live_server, project, intern, task):
    from tasks.services import label_create

    label_create(project=project, by=intern, name="bug")
    label_create(project=project, by=intern, name="ui")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    open_card(page, task)
    labels = field(page, task, "labels")
    labels.locator("[data-inline-open]").click()
    labels.get_by_label("ui").check()
    labels.get_by_label("ui").press("Enter")
    saved(page, task, "labels")
    expect(labels.locator(".label-chip")).to_have_text(["ui"])
    assert [label.name for label in Task.objects.get(pk=task.pk).labels.all()] == ["ui"]


def test_esc_cancels_the_field_only_and_keeps_the_dialog(page, live_server, project, intern, task):
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    open_card(page, task)
    title = field(page, task, "title")
    title.locator("[data-inline-open]").click()
    title.locator("input[name=title]").fill("Never saved")
    title.locator("input[name=title]").press("Escape")
    expect(title.locator("[data-inline-editor]")).to_be_hidden()
    expect(title.locator(".task-heading")).to_have_text("Plain title")
    expect(page.locator("#task-dialog")).to_have_attribute("open", "")
    expect(title.locator("[data-inline-open]")).to_be_focused()  # not dropped to <body>
    # Opened again, the editor shows the stored value, not the text thrown away.
    title.locator("[data-inline-open]").click()
    expect(title.locator("input[name=title]")).to_have_value("Plain title")
    title.locator("input[name=title]").press("Escape")
    assert Task.objects.get(pk=task.pk).title == "Plain title"
    # A second Esc (no field open) closes the dialog.
    page.keyboard.press("Escape")
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")


def test_closing_with_unsaved_text_asks_first(page, live_server, project, intern, task):
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    open_card(page, task)
    comment = page.locator("#task-dialog textarea[name=body]")
    comment.fill("Half a thought")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # Declined: the dialog and the text stay.
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.keyboard.press("Escape")
    expect(page.locator("#task-dialog")).to_have_attribute("open", "")
    expect(comment).to_have_value("Half a thought")
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("#task-dialog [data-close-dialog]")
    expect(page.locator("#task-dialog")).to_have_attribute("open", "")
    assert questions == ["Discard what you typed and not saved?"] * 2

    # Accepted: it closes.
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("#task-dialog [data-close-dialog]")
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")
    assert len(questions) == 3

    # Nothing typed: no question.
    open_card(page, task)
    page.click("#task-dialog [data-close-dialog]")
    expect(page.locator("#task-dialog")).not_to_have_attribute("open", "")
    assert len(questions) == 3


def test_a_refused_value_stays_with_the_reason_and_a_conflict_shows_the_current_value(
    page, live_server, project, intern, mentor, task
):
    from tasks.services import task_update

    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    open_card(page, task)
    estimate = field(page, task, "estimate")
    estimate.locator("[data-inline-open]").click()
    estimate.locator("input[name=estimate]").fill("-3")
    with page.expect_response(lambda response: "/edit/estimate/" in response.url) as refused:
        estimate.locator("input[name=estimate]").press("Enter")
    assert refused.value.status == 400
    feedback = estimate.locator("[data-inline-feedback]")
    expect(feedback).to_contain_text("greater than or equal to 0")
    expect(feedback).to_have_class("inline-feedback inline-feedback-error")
    expect(estimate.locator("input[name=estimate]")).to_have_value("-3")
    estimate.locator("input[name=estimate]").press("Escape")

    # Someone else renames the task meanwhile.
    task_update(task=task, by=mentor, version=task.version, title="Their title")
    title = field(page, task, "title")
    title.locator("[data-inline-open]").click()
    title.locator("input[name=title]").fill("My title")
    with page.expect_response(lambda response: "/edit/title/" in response.url) as conflict:
        title.locator("input[name=title]").press("Enter")
    assert conflict.value.status == 409
    expect(title.locator("[data-inline-feedback]")).to_contain_text(
        "Someone else changed this task"
    )
    expect(title.locator(".task-heading")).to_have_text("Their title")  # as it is now
    expect(title.locator("input[name=title]")).to_have_value("My title")  # what was typed
    # Saved again, now against the current version.
    title.locator("input[name=title]").press("Enter")
    saved(page, task, "title")
    assert Task.objects.get(pk=task.pk).title == "My title"


def test_the_task_page_edits_in_place_too(page, live_server, project, intern, task):
    log_in(page, live_server, "intern")
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.wait_for_load_state("load")
    title = field(page, task, "title")
    title.locator(".task-heading").click()
    title.locator("input[name=title]").fill("From the page")
    title.locator("input[name=title]").press("Enter")
    saved(page, task, "title")
    assert Task.objects.get(pk=task.pk).title == "From the page"
