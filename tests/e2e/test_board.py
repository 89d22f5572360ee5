"""The board in a real browser: drag and drop, review, keyboard move, WIP refusal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.models import Column
from tasks.models import Task
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def open_board(page, live_server, project) -> None:
    page.goto(f"{live_server.url}/projects/{project.pk}/board/")
    # Deferred scripts have run once "load" fires. (No wait_for_function: the
    # page's CSP forbids the string evaluation it relies on, as it should.)
    page.wait_for_load_state("load")


def column_of(page, project, name: str):
    column = Column.objects.get(project=project, name=name)
    return page.locator(f"#column-{column.pk} .card-list")


def drag(page, card, target) -> None:
    """Drag with real mouse events, in steps, as a person would; wait for the server's answer."""
    card.scroll_into_view_if_needed()
    box = card.locator(".task-meta").bounding_box()
    destination = target.bounding_box()
    with page.expect_response(lambda response: "/move/" in response.url):
        page.mouse.move(box["x"] + 5, box["y"] + 5)
        page.mouse.down()
        page.mouse.move(destination["x"] + 40, destination["y"] + 15, steps=20)
        page.mouse.move(destination["x"] + 42, destination["y"] + 20, steps=5)
        page.mouse.up()
    page.wait_for_timeout(200)  # htmx swaps the answer in after a short settle


def titles_in(page, project, name: str) -> list[str]:
    return column_of(page, project, name).locator(".task-card .task-title a").all_inner_texts()


def test_intern_drags_to_work_and_review_but_not_done_then_mentor_approves(
    page, live_server, project, intern, mentor
):
    first = make_task(project, intern, title="First card", assignee=intern)
    make_task(project, intern, title="Second card")
    make_task(project, intern, title="Already working", column_name="In progress")

    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    drag(
        page,
        page.locator(f"#task-{first.pk}"),
        column_of(page, project, "In progress").locator(".task-card").first,
    )
    _wait_for_column(page, project, "In progress", "First card")
    assert Task.objects.get(pk=first.pk).column.name == "In progress"

    page.reload()
    assert titles_in(page, project, "In progress") == ["First card", "Already working"]
    assert titles_in(page, project, "To do") == ["Second card"]

    open_board(page, live_server, project)
    drag(page, page.locator(f"#task-{first.pk}"), column_of(page, project, "Review"))
    _wait_for_column(page, project, "Review", "First card")
    assert Task.objects.get(pk=first.pk).column.name == "Review"

    # An intern cannot drop into Done: the reason shows and the card goes back.
    drag(page, page.locator(f"#task-{first.pk}"), column_of(page, project, "Done"))
    page.wait_for_selector(".board-message-error")
    assert "requires review" in page.inner_text("#board-status")
    _wait_for_column(page, project, "Review", "First card")
    assert titles_in(page, project, "Done") == []
    assert Task.objects.get(pk=first.pk).column.name == "Review"

    # The mentor approves from the task dialog with a score.
    page.context.clear_cookies()
    log_in(page, live_server, "mentor")
    open_board(page, live_server, project)
    page.click(f"#task-{first.pk} .task-title a")
    page.wait_for_selector("#task-dialog[open] .review-box")
    page.check("#task-dialog input[name=decision][value=approve]")
    page.select_option("#task-dialog select[name=score]", "4")
    page.click("#task-dialog .review-box button[type=submit]")
    page.wait_for_selector("#task-dialog .reviews")
    page.click("#task-dialog [data-close-dialog]")
    _wait_for_column(page, project, "Done", "First card", timeout=20_000)
    task = Task.objects.get(pk=first.pk)
    assert task.column.name == "Done"
    assert task.reviews.get().score == 4


def _wait_for_column(page, project, name: str, title: str, timeout: int = 10_000) -> None:
    column = Column.objects.get(project=project, name=name)
    expect(page.locator(f"#column-{column.pk} .card-list")).to_contain_text(title, timeout=timeout)


def test_keyboard_move_to_control_works(page, live_server, project, intern):
    task = make_task(project, intern, title="Keyboard card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    card = page.locator(f"#task-{task.pk}")
    card.locator("a.move-to").focus()
    page.keyboard.press("Enter")  # opens the board's one shared move dialog
    select = page.locator("#move-dialog[open] select[name=column]")
    expect(select).to_be_focused()
    select.select_option(label="In progress")
    page.locator("#move-dialog button[type=submit]").focus()
    page.keyboard.press("Enter")
    _wait_for_column(page, project, "In progress", "Keyboard card")
    assert Task.objects.get(pk=task.pk).column.name == "In progress"


def test_wip_limit_refusal_shows_the_message_and_the_card_returns(
    page, live_server, project, intern
):
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    make_task(project, intern, title="Busy", column_name="In progress")
    task = make_task(project, intern, title="Waiting")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    drag(page, page.locator(f"#task-{task.pk}"), column_of(page, project, "In progress"))
    page.wait_for_selector(".board-message-error")
    assert "WIP limit" in page.inner_text("#board-status")
    _wait_for_column(page, project, "To do", "Waiting")
    assert titles_in(page, project, "In progress") == ["Busy"]
    assert Task.objects.get(pk=task.pk).column.name == "To do"


def test_move_to_conflict_replaces_the_stale_card_instead_of_showing_it_twice(
    page, live_server, project, intern, mentor
):
    """Someone else moves the card meanwhile; "Move to…" on the stale copy gets a 409.
    The message shows and the card is on the board once, where it really is."""
    from tasks.services import task_move

    task = make_task(project, intern, title="Raced card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    doing = Column.objects.get(project=project, name="In progress")
    task_move(task=task, by=mentor, column=doing, position=0, version=task.version)

    card = page.locator(f"#task-{task.pk}")
    card.locator("a.move-to").click()
    page.locator("#move-dialog select[name=column]").select_option(label="Review")
    with page.expect_response(lambda response: "/move/" in response.url) as answer:
        page.locator("#move-dialog button[type=submit]").click()
    assert answer.value.status == 409
    page.wait_for_selector(".board-message-error")
    assert "Someone else changed this task" in page.inner_text("#board-status")
    _wait_for_column(page, project, "In progress", "Raced card")
    expect(page.locator(f"#task-{task.pk}")).to_have_count(1)
    assert titles_in(page, project, "To do") == []
    assert titles_in(page, project, "Review") == []
    assert Task.objects.get(pk=task.pk).column_id == doing.pk


def test_drag_conflict_also_leaves_the_card_once_where_it_really_is(
    page, live_server, project, intern, mentor
):
    from tasks.services import task_move

    task = make_task(project, intern, title="Dragged raced card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    doing = Column.objects.get(project=project, name="In progress")
    task_move(task=task, by=mentor, column=doing, position=0, version=task.version)
    drag(page, page.locator(f"#task-{task.pk}"), column_of(page, project, "Review"))
    page.wait_for_selector(".board-message-error")
    assert "Someone else changed this task" in page.inner_text("#board-status")
    _wait_for_column(page, project, "In progress", "Dragged raced card")
    expect(page.locator(f"#task-{task.pk}")).to_have_count(1)
    assert titles_in(page, project, "To do") == []
    assert titles_in(page, project, "Review") == []


def test_move_dialog_places_the_card_updates_counts_and_keeps_its_version(
    page, live_server, project, intern
):
    """The move answer carries no columns (issue 10): the card is put in place from its
    placement, the two counts come out of band, and its new version lets it move again."""
    task = make_task(project, intern, title="Dialog card")
    make_task(project, intern, title="First there", column_name="In progress")
    make_task(project, intern, title="Second there", column_name="In progress")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    card = page.locator(f"#task-{task.pk}")
    card.locator("a.move-to").click()
    page.locator("#move-dialog select[name=column]").select_option(label="In progress")
    places = page.locator("#move-dialog select[name=position] option")
    expect(places).to_have_text(
        ["Bottom of the column", "Top of the column", re.compile(r"after \S+-\d+ First there")]
        + [re.compile("Second there")]
    )
    page.locator("#move-dialog select[name=position]").select_option(index=2)  # after "First"
    with page.expect_response(lambda response: "/move/" in response.url) as answer:
        page.locator("#move-dialog button[type=submit]").click()
    assert answer.value.status == 200
    doing = Column.objects.get(project=project, name="In progress")
    todo = Column.objects.get(project=project, name="To do")
    expect(page.locator(f"#column-{doing.pk}-header .wip")).to_have_text("3")
    expect(page.locator(f"#column-{todo.pk}-header .wip")).to_have_text("0")
    assert titles_in(page, project, "In progress") == ["First there", "Dialog card", "Second there"]
    # Moved again from the same page: the card carries the version the answer gave it.
    card.locator("a.move-to").click()
    page.locator("#move-dialog select[name=column]").select_option(label="Review")
    with page.expect_response(lambda response: "/move/" in response.url) as again:
        page.locator("#move-dialog button[type=submit]").click()
    assert again.value.status == 200
    _wait_for_column(page, project, "Review", "Dialog card")
    assert Task.objects.get(pk=task.pk).column.name == "Review"
    expect(page.locator(f"#task-{task.pk}")).to_have_count(1)
