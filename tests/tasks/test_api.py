"""The tasks API (``/api/v1/tasks/``): permissions, filters, versions, moves, reviews, queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Column
from tasks.models import Task
from tasks.services import comment_create
from tests.api.state import snapshot
from tests.conftest import persona_matrix
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import TaskFactory, column


@pytest.fixture
def task(project, intern):
    return TaskFactory(
        project=project, reporter=intern, title="API task", column_name="Review", assignee=intern
    )


@pytest.fixture
def foreign_task(other_team, outsider):
    foreign = ProjectFactory(team=other_team, key="FOR")
    return TaskFactory(project=foreign, reporter=outsider, title="Foreign task")


def read_urls(task):
    return {
        "tasks": reverse("api-task-list"),
        "task": reverse("api-task-detail", args=[task.pk]),
        "comments": reverse("api-task-comments", args=[task.pk]),
    }


READ_MATRIX = {
    #            anonymous staff mentor intern outsider
    "tasks": (401, 200, 200, 200, 200),
    "task": (401, 200, 200, 200, 404),
    "comments": (401, 200, 200, 200, 404),
}


@pytest.mark.parametrize(("endpoint", "persona_name", "expected"), persona_matrix(READ_MATRIX))
def test_read_permission_matrix(
    api_as, team, project, task, mentor, endpoint, persona_name, expected
):
    client = api_as(persona_name)
    response = client.get(read_urls(task)[endpoint])
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert "detail" in response.json()


def write_requests(project, task):
    todo = column(project, "To do")
    return {
        "task_create": ("post", reverse("api-task-list"), {"project": project.pk, "title": "New"}),
        "task_patch": (
            "patch",
            reverse("api-task-detail", args=[task.pk]),
            {"title": "Renamed", "version": task.version},
        ),
        "task_move": (
            "post",
            reverse("api-task-move", args=[task.pk]),
            {"column": todo.pk, "position": 0, "version": task.version},
        ),
        "task_delete": ("delete", reverse("api-task-detail", args=[task.pk]), None),
        "comment": ("post", reverse("api-task-comments", args=[task.pk]), {"body": "Hello"}),
        "review": (
            "post",
            reverse("api-task-review", args=[task.pk]),
            {"decision": "approve", "score": 5},
        ),
    }


WRITE_MATRIX = {
    #                 anonymous staff mentor intern outsider
    "task_create": (401, 201, 201, 201, 400),  # another team's project is "unknown"
    "task_patch": (401, 200, 200, 200, 404),
    "task_move": (401, 200, 200, 200, 404),
    "task_delete": (401, 204, 204, 204, 404),
    "comment": (401, 201, 201, 201, 404),
    "review": (401, 201, 201, 403, 404),
}


@pytest.mark.parametrize(("action", "persona_name", "expected"), persona_matrix(WRITE_MATRIX))
def test_write_permission_matrix(
    api_as, team, project, task, intern, mentor, action, persona_name, expected
):
    method, url, data = write_requests(project, task)[action]
    client = api_as(persona_name)  # before the snapshot: a persona may create its membership
    before = snapshot()
    response = getattr(client, method)(url, data, format="json")
    assert response.status_code == expected, response.content
    assert (snapshot() != before) == (expected < 300)


def test_lists_never_show_other_teams_rows_not_even_by_filter(
    api_as, project, task, foreign_task, intern
):
    client = api_as("intern")
    ids = {row["id"] for row in client.get(reverse("api-task-list")).json()["results"]}
    assert ids == {task.pk}
    filtered = client.get(reverse("api-task-list"), {"project": foreign_task.project_id}).json()
    assert filtered["count"] == 0
    searched = client.get(reverse("api-task-list"), {"search": "Foreign"}).json()
    assert searched["count"] == 0
    projects = {row["id"] for row in client.get(reverse("api-project-list")).json()["results"]}
    assert projects == {project.pk}
    teams = {row["id"] for row in client.get(reverse("api-team-list")).json()["results"]}
    assert teams == {project.team_id}


def test_task_filters_and_ordering(api_as, project, intern, mentor):
    bug = TaskFactory(
        project=project, reporter=intern, title="Fix crash", priority="urgent", assignee=intern
    )
    TaskFactory(
        project=project,
        reporter=intern,
        title="Write docs",
        priority="low",
        assignee=mentor,
        column_name="In progress",
    )
    client = api_as("intern")
    url = reverse("api-task-list")

    def titles(**params):
        return [row["title"] for row in client.get(url, params).json()["results"]]

    assert titles(priority="urgent") == ["Fix crash"]
    assert titles(assignee=mentor.pk) == ["Write docs"]
    assert titles(category="in_progress") == ["Write docs"]
    assert titles(column=bug.column_id) == ["Fix crash"]
    assert titles(search="docs") == ["Write docs"]
    assert titles(ordering="-title") == ["Write docs", "Fix crash"]
    assert titles(due_before="2000-01-01") == []
    bad = client.get(url, {"priority": "whenever", "assignee": "x"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"priority", "assignee"}


def test_pagination_shape_and_page_size_bounds(api_as, project, intern):
    TaskFactory.create_batch(5, project=project, reporter=intern)
    body = api_as("intern").get(reverse("api-task-list"), {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    too_big = api_as("intern").get(reverse("api-task-list"), {"page_size": 100000})
    assert too_big.status_code == 400
    assert set(too_big.json()["errors"]) == {"page_size"}
    past_the_end = api_as("intern").get(reverse("api-task-list"), {"page": 4, "page_size": 2})
    assert past_the_end.status_code == 404


def test_patch_with_a_stale_version_is_409_with_the_current_task(api_as, task):
    client = api_as("intern")
    url = reverse("api-task-detail", args=[task.pk])
    assert (
        client.patch(url, {"title": "First", "version": task.version}, format="json").status_code
        == 200
    )
    stale = client.patch(url, {"title": "Second", "version": task.version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "First"
    assert stale.json()["current"]["version"] == task.version + 1
    assert Task.objects.get(pk=task.pk).title == "First"


def test_move_rules_answer_with_messages(api_as, project, task):
    client = api_as("intern")
    url = reverse("api-task-move", args=[task.pk])
    done = client.post(
        url,
        {"column": column(project, "Done").pk, "position": 0, "version": task.version},
        format="json",
    )
    assert done.status_code == 400
    assert "review" in done.json()["detail"]
    Column.objects.filter(project=project, name="In progress").update(wip_limit=0 + 1)
    TaskFactory(project=project, reporter=task.reporter, column_name="In progress")
    wip = client.post(
        url,
        {"column": column(project, "In progress").pk, "position": 0, "version": task.version},
        format="json",
    )
    assert wip.status_code == 400
    assert wip.json()["code"] == "wip_limit"
    foreign_column = ProjectFactory(key="OTH").columns.first()
    unknown = client.post(
        url, {"column": foreign_column.pk, "position": 0, "version": task.version}, format="json"
    )
    assert unknown.status_code == 400
    assert "column" in unknown.json()["errors"]


def test_mentor_reviews_through_the_api(api_as, project, task):
    response = api_as("mentor").post(
        reverse("api-task-review", args=[task.pk]),
        {"decision": "approve", "score": 4, "comment": "Good"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["task"]["category"] == "done"
    waiting = TaskFactory(project=project, reporter=task.reporter, column_name="Review")
    missing_score = api_as("mentor").post(
        reverse("api-task-review", args=[waiting.pk]),
        {"decision": "approve"},
        format="json",
    )
    assert missing_score.status_code == 400
    assert "score" in missing_score.json()["errors"]


def test_ownership_fields_are_never_writable(api_as, project, task, other_team):
    client = api_as("intern")
    client.patch(
        reverse("api-task-detail", args=[task.pk]),
        {"version": task.version, "project": 999, "number": 1000, "reporter": 1, "archived": True},
        format="json",
    )
    task.refresh_from_db()
    assert (task.project_id, task.number, task.archived) == (project.pk, 1, False)
    api_as("mentor").patch(
        reverse("api-project-detail", args=[project.pk]), {"team": other_team.pk}, format="json"
    )
    project.refresh_from_db()
    assert project.team_id != other_team.pk


@pytest.mark.parametrize("size", [3, 60])
def test_task_list_runs_a_constant_number_of_queries(
    api_as, project, intern, size, django_assert_num_queries
):
    TaskFactory.create_batch(size, project=project, reporter=intern, assignee=intern)
    client = api_as("intern")
    # session, user, count, page, labels prefetch
    with django_assert_num_queries(5):
        response = client.get(reverse("api-task-list"), {"page_size": 200})
    assert response.status_code == 200


def test_task_detail_runs_a_constant_number_of_queries(api_as, task, django_assert_num_queries):
    client = api_as("intern")
    # session, user, task with its scope, task for output, labels
    with django_assert_num_queries(5):
        client.get(reverse("api-task-detail", args=[task.pk]))


@pytest.mark.parametrize("size", [2, 40])
def test_comment_list_runs_a_constant_number_of_queries(
    api_as, task, intern, size, django_assert_num_queries
):
    for n in range(size):
        comment_create(task=task, by=intern, body=f"Comment {n}")
    client = api_as("intern")
    # session, user, task scope fetch, count, page
    with django_assert_num_queries(5):
        response = client.get(reverse("api-task-comments", args=[task.pk]), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= size
