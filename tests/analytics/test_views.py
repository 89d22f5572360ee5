"""The analytics pages: numbers from the selectors, links to the tasks behind them,
charts, the period form, the CSV export, the refresh button and pinned queries."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.test import Client

from analytics import services
from analytics.models import TaskMetrics
from teams.models import Membership, Role
from tests.analytics.conftest import History, at
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MARCH = "?period=custom&from=2026-03-02&to=2026-03-15"


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def team_url(team, query: str = "") -> str:
    return f"/analytics/teams/{team.pk}/{query}"


def intern_url(user, query: str = "") -> str:
    return f"/analytics/interns/{user.pk}/{query}"


def build(history: History, *, tasks: int) -> None:
    """``tasks`` tasks approved in the first week of March; the first one was sent back
    once and has no due date; the others were due on 2026-03-04 (so late)."""
    Membership.objects.filter(user=history.intern).update(joined_on=datetime.date(2026, 2, 2))
    for number in range(tasks):
        due = None if number == 0 else datetime.date(2026, 3, 4)
        task = history.create(at("2026-03-02", "10:00"), estimate=2, due_on=due)
        history.move(task, "In progress", at("2026-03-03", "10:00"))
        history.move(task, "Review", at("2026-03-04", "10:00"))
        if number == 0:
            history.request_changes(task, at("2026-03-04", "11:00"))
            history.move(task, "Review", at("2026-03-04", "12:00"))
        history.approve(task, at("2026-03-05", f"1{number % 10}:00"), score=4)
    services.rebuild()


def hrefs(html: str, text: str) -> list[str]:
    """The targets of the links whose text is exactly ``text``."""
    return [
        href.replace("&amp;", "&")
        for href, inner in re.findall(r'<a href="([^"]+)">([^<]*)</a>', html)
        if inner.strip() == text
    ]


def test_the_team_page_shows_each_interns_numbers_and_links_them_to_their_tasks(
    history, mentor, intern, team
):
    build(history, tasks=3)
    page = client_for(mentor).get(team_url(team, MARCH))
    assert page.status_code == 200
    html = page.content.decode()
    assert intern.display_name in html
    # 3 completed, 6 points; the two with a due date (03-04) were done late (03-05);
    # the first was sent back once: 2 of 3 passed at the first review; scores all 4.
    assert hrefs(html, "6")
    assert hrefs(html, "0\xa0%")  # on time
    assert hrefs(html, "67\xa0%")  # first pass
    assert hrefs(html, "4,0") or hrefs(html, "4.0")  # mean score
    links = hrefs(html, "3")
    assert links, "the completed count links to the task list"
    listed = client_for(mentor).get(links[0])
    assert listed.status_code == 200
    assert listed.content.decode().count('class="task-key"') == 3
    # The first-pass rate links to the reviewed tasks of the period: the same three.
    first_pass = hrefs(html, "67\xa0%")[0]
    assert "reviewed=on" in first_pass
    assert client_for(mentor).get(first_pass).content.decode().count('class="task-key"') == 3
    # Charts are SVG with data, a legend and a table equivalent.
    assert html.count('<svg class="chart-svg"') >= 3
    assert 'class="chart-line series-0"' in html
    assert 'class="chart-bar series-0"' in html
    assert "<caption>" in html


def test_every_number_of_a_row_leads_to_a_task_list_that_answers(history, mentor, team):
    build(history, tasks=2)
    html = client_for(mentor).get(team_url(team, MARCH)).content.decode()
    row = html[html.index('class="intern-row') :]
    row = row[: row.index("</tr>")]
    targets = re.findall(r'href="(/tasks/\?[^"]+)"', row)
    assert len(targets) == 8
    for target in targets:
        assert client_for(mentor).get(target.replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=custom&from=2026-13-45&to=2026-03-01", "Enter a valid date"),
        ("?period=custom&from=2026-03-15&to=2026-03-01", "must not be after"),
        ("?period=custom&from=2020-01-01&to=2026-03-01", "at most"),
        ("?period=nonsense", "Select a valid choice"),
    ],
)
def test_invalid_periods_are_form_errors_not_failures(mentor, team, query, message):
    page = client_for(mentor).get(team_url(team, query), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert message in page.content.decode()


def test_the_whole_cohort_period_starts_with_the_cohort(mentor, team):
    html = client_for(mentor).get(team_url(team, "?period=cohort")).content.decode()
    start = team.cohort.starts_on
    assert f'data-period-start="{start.isoformat()}"' in html


def test_rows_sort_by_any_column(history, mentor, intern, team):
    build(history, tasks=2)
    idle = MembershipFactory(
        team=team, role=Role.INTERN, user__username="aaa", user__full_name="Aaa Idle"
    ).user
    Membership.objects.filter(user=idle).update(joined_on=datetime.date(2026, 2, 2))
    client = client_for(mentor)
    by_name = client.get(team_url(team, MARCH)).content.decode()
    assert by_name.index("Aaa Idle") < by_name.index(intern.display_name)
    most_done = client.get(team_url(team, MARCH + "&sort=-completed")).content.decode()
    assert most_done.index(intern.display_name) < most_done.index("Aaa Idle")
    assert 'aria-sort="descending"' in most_done
    # Sorting keeps the period (and echoes nothing else of the query string).
    junk = client.get(team_url(team, MARCH + "&junk=<x>")).content.decode()
    header = junk[junk.index("<thead>") : junk.index("</thead>")]
    assert "from=2026-03-02" in header
    assert "junk" not in header


def test_the_csv_has_a_bom_the_same_numbers_and_no_formulas(history, mentor, intern, team):
    build(history, tasks=3)
    intern.full_name = "=HYPERLINK(1)"
    intern.save(update_fields=["full_name"])
    response = client_for(mentor).get(f"/analytics/teams/{team.pk}/export.csv{MARCH}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == "'=HYPERLINK(1)"
    assert row[2:6] == ["2026-03-02", "2026-03-15", "3", "6"]


def test_refresh_queues_a_rebuild_after_commit(
    history, mentor, team, django_capture_on_commit_callbacks
):
    build(history, tasks=2)
    TaskMetrics.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(mentor).post(f"/analytics/teams/{team.pk}/refresh/")
    assert response.status_code == 302
    assert TaskMetrics.objects.count() == 0  # nothing ran inside the request
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: Celery runs eagerly in tests
    assert TaskMetrics.objects.count() == 2


def test_the_intern_page_shows_trend_reviews_and_current_tasks(history, intern, mentor, team):
    build(history, tasks=2)
    open_task = history.create(at("2026-03-02", "10:00"), title="Still open")
    html = client_for(intern).get(intern_url(intern, MARCH)).content.decode()
    assert "Fix it" in html  # the comment of the change request
    assert "4/5" in html
    assert 'id="chart-trend"' in html
    assert open_task.title in html
    # A mentor sees it too and may refresh; the intern may not.
    assert "/refresh/" not in html
    assert "/refresh/" in client_for(mentor).get(intern_url(intern, MARCH)).content.decode()


def test_the_team_page_links_to_analytics_for_its_mentors_only(mentor, intern, team):
    url = f"/analytics/teams/{team.pk}/"
    assert url in client_for(mentor).get(f"/teams/{team.pk}/").content.decode()
    assert url not in client_for(intern).get(f"/teams/{team.pk}/").content.decode()


def test_both_languages_render(history, mentor, team):
    build(history, tasks=2)
    client = client_for(mentor)
    for language in ("ru", "en"):
        mentor.preferred_language = language
        mentor.save(update_fields=["preferred_language"])
        page = client.get(team_url(team, MARCH))
        assert page.status_code == 200
        assert f'lang="{language}"' in page.content.decode()


@pytest.mark.parametrize("tasks", [2, 12])
def test_query_counts_do_not_grow_with_the_data(
    history, mentor, intern, team, tasks, django_assert_num_queries
):
    build(history, tasks=tasks)
    for number in range(tasks // 2):  # more interns as the data grows
        MembershipFactory(
            team=team,
            role=Role.INTERN,
            user__username=f"more{number}",
            joined_on=datetime.date(2026, 2, 2),
        )
    mentor_client, intern_client = client_for(mentor), client_for(intern)
    with django_assert_num_queries(QUERIES["team"]):
        assert mentor_client.get(team_url(team, MARCH)).status_code == 200
    with django_assert_num_queries(QUERIES["intern"]):
        assert intern_client.get(intern_url(intern, MARCH)).status_code == 200
    with django_assert_num_queries(QUERIES["intern_by_mentor"]):
        assert mentor_client.get(intern_url(intern, MARCH)).status_code == 200


# Session and user (2), then the page: team page: team + viewer role, the selector's 11
# (interns, 2 period aggregates, intern weeks, live counts, last activity, review
# waits, projects, project days, cycle distribution... see selectors); intern page:
# the intern, their first membership, the selector's, the open tasks, the mentor check.
QUERIES = {"team": 14, "intern": 15, "intern_by_mentor": 15}
