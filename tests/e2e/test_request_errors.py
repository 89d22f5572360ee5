"""A stale tab says what went wrong: CSRF rotated by a login elsewhere, a session
ended elsewhere, a server error, an unreachable server (issue 7, item 8)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tasks.models import Task
from tests.e2e.test_board import column_of, log_in, open_board
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def move_with_the_keyboard_control(page, task, to: str) -> None:
    page.locator(f"#task-{task.pk} a.move-to").click()
    page.locator("#move-dialog select[name=column]").select_option(label=to)
    with page.expect_response(lambda response: "/move/" in response.url):
        page.locator("#move-dialog button[type=submit]").click()


def log_out_and_in_again_in_another_tab(page, live_server, username: str) -> None:
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.click("form.inline-form button[type=submit]")  # log out
    other.wait_for_url("**/accounts/login/**")
    log_in(other, live_server, username)
    other.close()


def test_stale_csrf_token_after_a_login_in_another_tab_asks_to_reload(
    page, live_server, project, intern
):
    task = make_task(project, intern, title="Stale tab card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    # A login in another tab of the same browser rotates the CSRF token, so
    # this tab's token (in its hx-headers) is refused with 403.
    log_out_and_in_again_in_another_tab(page, live_server, "intern")
    move_with_the_keyboard_control(page, task, "In progress")
    alert = page.locator("#request-error[role=alert] .request-error-message")
    expect(alert).to_contain_text("Your session changed")
    expect(alert).to_contain_text("Reload the page")
    assert Task.objects.get(pk=task.pk).column.name == "To do"
    # Reloading (the offered link) gets a fresh token and the move works.
    alert.get_by_role("link", name="Reload the page").click()
    page.wait_for_load_state("load")
    expect(page.locator("#request-error .request-error-message")).to_have_count(0)
    move_with_the_keyboard_control(page, task, "In progress")
    expect(column_of(page, project, "In progress")).to_contain_text("Stale tab card")
    assert Task.objects.get(pk=task.pk).column.name == "In progress"


def test_a_session_ended_elsewhere_is_reported_and_the_login_page_not_swapped_in(
    page, live_server, project, intern
):
    task = make_task(project, intern, title="Logged out card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.click("form.inline-form button[type=submit]")
    other.wait_for_url("**/accounts/login/**")
    other.close()
    move_with_the_keyboard_control(page, task, "In progress")
    expect(page.locator("#request-error .request-error-message")).to_contain_text(
        "Your session changed"
    )
    assert page.locator("#board-status input[name=password]").count() == 0
    assert page.locator("#main input[name=password]").count() == 0
    assert Task.objects.get(pk=task.pk).column.name == "To do"


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("server", "Something went wrong on our side"), ("network", "could not be reached")],
)
def test_server_and_network_errors_are_reported_then_cleared(
    page, live_server, project, intern, fault, expected
):
    task = make_task(project, intern, title="Unlucky card")
    log_in(page, live_server, "intern")
    open_board(page, live_server, project)

    def fail(route):
        if fault == "server":
            route.fulfill(status=502, body="Bad gateway", content_type="text/plain")
        else:
            route.abort("connectionrefused")

    page.route("**/tasks/*/move/*", fail)
    page.route("**/tasks/*/move/", fail)
    page.locator(f"#task-{task.pk} a.move-to").click()
    page.locator("#move-dialog select[name=column]").select_option(label="In progress")
    page.locator("#move-dialog button[type=submit]").click()
    alert = page.locator("#request-error .request-error-message")
    expect(alert).to_contain_text(expected)
    assert Task.objects.get(pk=task.pk).column.name == "To do"
    # The next request that goes through clears a server or network message.
    page.unroute("**/tasks/*/move/*")
    page.unroute("**/tasks/*/move/")
    move_with_the_keyboard_control(page, task, "In progress")
    expect(alert).to_have_count(0)
    assert Task.objects.get(pk=task.pk).column.name == "In progress"
