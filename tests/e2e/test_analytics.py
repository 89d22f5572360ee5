"""The team's analytics page in a real browser: the charts draw the data, under the CSP."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from analytics import services
from teams.models import Membership
from tests.analytics.conftest import History, at

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_mentor_sees_charts_with_data_on_the_team_page(
    page, live_server, project, mentor, intern, team
):
    Membership.objects.filter(user=intern).update(joined_on=datetime.date(2026, 2, 2))
    history = History(project, intern, mentor)
    for number in range(4):
        task = history.create(at("2026-03-02", "10:00"), estimate=3)
        history.move(task, "In progress", at("2026-03-03", "10:00"))
        history.move(task, "Review", at(f"2026-03-0{4 + number}", "10:00"))
        history.approve(task, at(f"2026-03-{10 + number}", "12:00"), score=4)
    services.rebuild()
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )

    log_in(page, live_server, mentor.username)
    page.goto(
        f"{live_server.url}/analytics/teams/{team.pk}/?period=custom&from=2026-03-02&to=2026-03-15"
    )
    page.wait_for_load_state("load")

    throughput = page.locator("#chart-throughput svg.chart-svg")
    expect(throughput).to_be_visible()
    line = throughput.locator("polyline.chart-line")
    expect(line).to_have_count(1)
    # The line is drawn in a colour from the stylesheet and has real extent.
    box = line.bounding_box()
    assert box is not None
    assert box["width"] > 100
    assert box["height"] > 10
    stroke = line.evaluate("element => getComputedStyle(element).stroke")
    assert stroke not in ("none", "", "rgb(0, 0, 0)")
    bars = page.locator("#chart-cycle rect.chart-bar")
    heights = [float(bars.nth(index).get_attribute("height")) for index in range(bars.count())]
    assert sum(1 for height in heights if height > 0) >= 1
    expect(page.locator("#chart-flow-0 polygon.chart-area").first).to_be_visible()
    # The table equivalent holds the same numbers for screen readers.
    assert page.locator("#chart-throughput table td").all_inner_texts() == ["0", "4"]
    expect(page.locator("tr.intern-row").first).to_contain_text(intern.display_name)
    assert violations == []
