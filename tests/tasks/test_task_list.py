"""The task list /tasks/: the board's filters plus project, state and completed-between
(local days of TIME_ZONE, as analytics counts them), sortable columns and paging."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.test import Client

from tasks import services
from tasks.views import TASKS_PER_PAGE
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def keys(html: str) -> list[str]:
    return re.findall(r'class="task-key">([A-Z0-9]+-\d+)<', html)


def finish(task, by, when):
    task.refresh_from_db()
    return services.task_move(
        task=task,
        by=by,
        column=column(task.project, "Done"),
        position=None,
        version=task.version,
        at=when,
    )


def test_completed_between_counts_local_days(project, mentor, intern):
    # 23:30 Moscow on Sunday 1 March is 20:30 UTC: a task of 1 March, not 2 March.
    sunday = make_task(project, intern, title="Sunday", assignee=intern)
    monday = make_task(project, intern, title="Monday", assignee=intern)
    make_task(project, intern, title="Open", assignee=intern)
    finish(sunday, mentor, datetime.datetime(2026, 3, 1, 23, 30, tzinfo=MSK))
    finish(monday, mentor, datetime.datetime(2026, 3, 2, 0, 30, tzinfo=MSK))
    client = client_for(mentor)
    week = client.get("/tasks/?completed_from=2026-03-02&completed_to=2026-03-08")
    assert keys(week.content.decode()) == [monday.key]
    day = client.get("/tasks/?completed_from=2026-03-01&completed_to=2026-03-01")
    assert keys(day.content.decode()) == [sunday.key]
    done = client.get(f"/tasks/?state=done&assignee={intern.pk}")
    assert sorted(keys(done.content.decode())) == sorted([sunday.key, monday.key])


def test_states_overdue_and_wip(project, intern):
    late = make_task(
        project, intern, title="Late", assignee=intern, due_on=datetime.date(2020, 1, 1)
    )
    working = make_task(project, intern, title="Working", column_name="In progress")
    make_task(project, intern, title="Later", due_on=datetime.date(2999, 1, 1))
    client = client_for(intern)
    assert keys(client.get("/tasks/?state=overdue").content.decode()) == [late.key]
    assert keys(client.get("/tasks/?state=wip").content.decode()) == [working.key]
    assert len(keys(client.get("/tasks/?state=open").content.decode())) == 3


def test_only_visible_projects_are_listed(project, intern, other_team, outsider):
    mine = make_task(project, intern, title="Ours")
    theirs = make_task(ProjectFactory(team=other_team, key="OTH"), outsider, title="Theirs")
    html = client_for(intern).get("/tasks/").content.decode()
    assert mine.key in keys(html)
    assert theirs.key not in keys(html)
    # Naming the other team's project is an invalid filter value: ignored, not a leak.
    html = client_for(intern).get(f"/tasks/?project={theirs.project_id}").content.decode()
    assert theirs.key not in keys(html)


def test_sorting_and_paging(project, intern):
    tasks = [
        make_task(project, intern, title=f"T{number:03d}", estimate=number % 7)
        for number in range(TASKS_PER_PAGE + 3)
    ]
    client = client_for(intern)
    first = client.get("/tasks/").content.decode()
    assert len(keys(first)) == TASKS_PER_PAGE
    assert "page=2" in first
    second = client.get("/tasks/?page=2").content.decode()
    assert keys(second) == [task.key for task in tasks[TASKS_PER_PAGE:]]
    descending = client.get("/tasks/?sort=-title").content.decode()
    assert keys(descending)[0] == tasks[-1].key
    assert 'aria-sort="descending"' in descending
    # The sort survives paging; junk sort and page values fall back, never fail.
    assert "sort=-title" in descending
    assert client.get("/tasks/?sort=nonsense&page=zzz").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?completed_from=2026-02-31",
        "?state=nonsense&assignee=abc&project=-1",
        "?q=" + "x" * 500,
        "?priority=%00",
    ],
)
def test_invalid_filters_are_ignored(project, intern, query):
    task = make_task(project, intern, title="Here")
    page = client_for(intern).get("/tasks/" + query)
    assert page.status_code == 200
    assert keys(page.content.decode()) == [task.key]


@pytest.mark.parametrize("size", [3, 30])
def test_queries_do_not_grow_with_the_data(project, intern, size, django_assert_num_queries):
    for number in range(size):
        make_task(project, intern, title=f"Task {number}", assignee=intern)
    client = client_for(intern)
    # Session and user, projects, members, count, page of tasks.
    with django_assert_num_queries(6):
        assert client.get(f"/tasks/?assignee={intern.pk}&sort=-due").status_code == 200
