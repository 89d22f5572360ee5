"""No page of the main flows logs a console error, throws, or breaks the CSP (issue 11, Tests).

A mentor walks the app as people do: log in, the dashboard, the board, a task opened in
the dialog and closed, the task page, the task list and its archive, the analytics pages,
the profile, the API tokens and the API docs. Every console error, uncaught exception and
Content-Security-Policy violation on the way fails the test, named with its page.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from analytics import services as analytics_services
from teams.models import Membership
from tests.analytics.conftest import History, at
from tests.e2e.test_board import PASSWORD
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)

# The browser reports a refused inline style or script as a console error, but a
# violation can also go unreported there (e.g. a refused image): listen for the event.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI);
});
"""


@pytest.fixture
def problems(page) -> list[str]:
    found: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            found.append(f"{page.url}: console error: {message.text}")

    page.add_init_script(REPORT_CSP_VIOLATIONS)
    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"{page.url}: uncaught: {error}"))
    return found


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # deferred scripts and htmx's first swaps run by then


def test_main_flows_log_no_console_error_or_csp_violation(
    page, live_server, problems, project, team, mentor, intern
):
    Membership.objects.filter(user=intern).update(joined_on=datetime.date(2026, 2, 2))
    history = History(project, intern, mentor)
    for number in range(3):
        done = history.create(at("2026-03-02", "10:00"), estimate=2)
        history.move(done, "In progress", at("2026-03-03", "10:00"))
        history.move(done, "Review", at(f"2026-03-0{4 + number}", "10:00"))
        history.approve(done, at(f"2026-03-{10 + number}", "12:00"), score=4)
    analytics_services.rebuild()
    task = make_task(
        project,
        intern,
        title="Write the **login** page",
        description="- [ ] form\n- [x] route\n\n`code` and a [link](https://example.org)",
        assignee=intern,
        due_on=datetime.date(2026, 1, 1),
    )
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.wait_for_load_state("load")
    page.fill("input[name=username]", mentor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.wait_for_timeout(300)

    visit(page, f"{base}/projects/{project.pk}/board/")
    page.locator(f"#task-{task.pk} .task-title a").click()
    dialog = page.locator("#task-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_contain_text("Write the **login** page")
    page.wait_for_timeout(300)
    dialog.locator("[data-close-dialog]").first.click()
    expect(dialog).not_to_have_attribute("open", "")
    # A live filter swaps the board in place.
    with page.expect_response(lambda response: "/board/" in response.url):
        page.locator("form.board-filters select[name=priority]").select_option("medium")
    page.wait_for_timeout(300)

    for path in [
        f"/tasks/{task.pk}/",
        "/tasks/",
        "/tasks/?archived=1",
        f"/teams/{team.pk}/",
        f"/analytics/teams/{team.pk}/?period=custom&from=2026-03-02&to=2026-03-15",
        f"/analytics/interns/{intern.pk}/",
        "/accounts/profile/",
        "/settings/tokens/",
    ]:
        visit(page, f"{base}{path}")

    page.goto(f"{base}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    page.goto(f"{base}/api/redoc/")
    expect(page.locator("[data-section-id]").first).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")

    assert problems == []
