"""The REST API v1 contract: every endpoint, its permission matrix, errors and pagination."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Column, Project
from tasks.models import Comment, Review, Task
from tasks.services import comment_create
from teams.models import Membership, Team
from tests.conftest import persona_matrix
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task
from tests.teams.factories import MembershipFactory


@pytest.fixture
def task(project, intern):
    return make_task(project, intern, title="API task", column_name="Review", assignee=intern)


@pytest.fixture
def foreign_task(other_team, outsider):
    foreign = ProjectFactory(team=other_team, key="FOR")
    return make_task(foreign, outsider, title="Foreign task")


def read_urls(team, project, task):
    membership = Membership.objects.filter(team=team).first()
    return {
        "me": reverse("api-me"),
        "users": reverse("api-user-list"),
        "cohorts": reverse("api-cohort-list"),
        "cohort": reverse("api-cohort-detail", args=[team.cohort_id]),
        "teams": reverse("api-team-list"),
        "team": reverse("api-team-detail", args=[team.pk]),
        "members": reverse("api-team-members", args=[team.pk]),
        "member": reverse("api-team-member-detail", args=[team.pk, membership.pk]),
        "projects": reverse("api-project-list"),
        "project": reverse("api-project-detail", args=[project.pk]),
        "columns": reverse("api-column-list", args=[project.pk]),
        "column": reverse("api-column-detail", args=[project.pk, task.column_id]),
        "tasks": reverse("api-task-list"),
        "task": reverse("api-task-detail", args=[task.pk]),
        "comments": reverse("api-task-comments", args=[task.pk]),
    }


READ_MATRIX = {
    #            anonymous staff mentor intern outsider
    "me": (401, 200, 200, 200, 200),
    "users": (401, 200, 403, 403, 403),
    "cohorts": (401, 200, 200, 200, 200),
    "cohort": (401, 200, 200, 200, 200),  # same cohort as the outsider's team
    "teams": (401, 200, 200, 200, 200),
    "team": (401, 200, 200, 200, 404),
    "members": (401, 200, 200, 200, 404),
    "member": (401, 200, 200, 200, 404),
    "projects": (401, 200, 200, 200, 200),
    "project": (401, 200, 200, 200, 404),
    "columns": (401, 200, 200, 200, 404),
    "column": (401, 200, 200, 200, 404),
    "tasks": (401, 200, 200, 200, 200),
    "task": (401, 200, 200, 200, 404),
    "comments": (401, 200, 200, 200, 404),
}


@pytest.mark.parametrize(("endpoint", "persona_name", "expected"), persona_matrix(READ_MATRIX))
def test_read_permission_matrix(
    api_as, team, project, task, mentor, endpoint, persona_name, expected
):
    client = api_as(persona_name)
    response = client.get(read_urls(team, project, task)[endpoint])
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert "detail" in response.json()


def write_requests(team, project, task, intern):
    todo = column(project, "To do")
    membership = Membership.objects.get(team=team, user=intern)
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
        "project_create": (
            "post",
            reverse("api-project-list"),
            {"team": team.pk, "name": "API", "key": "API"},
        ),
        "project_patch": (
            "patch",
            reverse("api-project-detail", args=[project.pk]),
            {"name": "Renamed"},
        ),
        "column_create": (
            "post",
            reverse("api-column-list", args=[project.pk]),
            {"name": "QA", "category": "review"},
        ),
        "column_patch": (
            "patch",
            reverse("api-column-detail", args=[project.pk, todo.pk]),
            {"wip_limit": 5},
        ),
        "member_add": (
            "post",
            reverse("api-team-members", args=[team.pk]),
            {"user": task.reporter_id, "role": "mentor"},
        ),
        "member_end": (
            "delete",
            reverse("api-team-member-detail", args=[team.pk, membership.pk]),
            None,
        ),
        "team_patch": (
            "patch",
            reverse("api-team-detail", args=[team.pk]),
            {"name": "Renamed team"},
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
    "project_create": (401, 201, 201, 403, 403),  # interns create no projects anywhere
    "project_patch": (401, 200, 200, 403, 404),
    "column_create": (401, 201, 201, 403, 404),
    "column_patch": (401, 200, 200, 403, 404),
    "member_add": (401, 400, 403, 403, 404),  # staff: the reporter is already a member
    "member_end": (401, 200, 403, 403, 404),
    "team_patch": (401, 200, 403, 403, 404),
}


def snapshot():
    return (
        sorted(Task.objects.values_list("pk", "title", "column_id", "archived", "version")),
        Comment.objects.count(),
        Review.objects.count(),
        sorted(Project.objects.values_list("pk", "name")),
        sorted(Column.objects.values_list("pk", "name", "wip_limit")),
        sorted(Membership.objects.values_list("pk", "role", "left_on")),
        sorted(Team.objects.values_list("pk", "name")),
    )


@pytest.mark.parametrize(("action", "persona_name", "expected"), persona_matrix(WRITE_MATRIX))
def test_write_permission_matrix(
    api_as, team, project, task, intern, mentor, action, persona_name, expected
):
    method, url, data = write_requests(team, project, task, intern)[action]
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
    bug = make_task(project, intern, title="Fix crash", priority="urgent", assignee=intern)
    make_task(
        project,
        intern,
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
    for n in range(5):
        make_task(project, intern, title=f"T{n}")
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
    make_task(project, task.reporter, column_name="In progress")
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
    missing_score = api_as("mentor").post(
        reverse(
            "api-task-review", args=[make_task(project, task.reporter, column_name="Review").pk]
        ),
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


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"title": ["a list"], "project": "x"}', "application/json"),
        (b'{"title": "t", "project": 99999999999999999999999}', "application/json"),
        (b"title=x", "application/x-www-form-urlencoded"),
        (b"[]", "application/json"),
    ],
)
def test_malformed_input_is_a_4xx_json_error(api_as, project, body, content_type):
    response = api_as("intern").generic(
        "POST", reverse("api-task-list"), body, content_type=content_type
    )
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_unknown_and_huge_ids_are_404(api_as):
    client = api_as("intern")
    for url in (
        "/api/v1/tasks/999999/",
        "/api/v1/tasks/99999999999999999999999999/",
        "/api/v1/projects/0/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_oversized_body_is_refused(api_as, project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = b'{"title": "' + b"x" * 5000 + b'", "project": 1}'
    response = api_as("intern").generic(
        "POST", reverse("api-task-list"), body, content_type="application/json"
    )
    assert response.status_code in {400, 413}


def test_staff_syncs_participants_and_removal_cuts_access(api_as, team, project, intern, staff):
    client = api_as("staff")
    created = client.post(
        reverse("api-user-list"),
        {"username": "newbie", "email": "newbie@example.com", "full_name": "New Person"},
        format="json",
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    added = client.post(
        reverse("api-team-members", args=[team.pk]),
        {"user": user_id, "role": "intern"},
        format="json",
    )
    assert added.status_code == 201
    duplicate = client.post(
        reverse("api-user-list"),
        {"username": "NEWBIE", "email": "x@example.com", "full_name": "X"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "username" in duplicate.json()["errors"]

    membership = Membership.objects.get(team=team, user=intern)
    from rest_framework.test import APIClient

    intern_client = APIClient()
    intern_client.force_login(intern)
    assert intern_client.get(reverse("api-project-detail", args=[project.pk])).status_code == 200
    ended = client.delete(reverse("api-team-member-detail", args=[team.pk, membership.pk]))
    assert ended.status_code == 200
    assert ended.json()["active"] is False
    assert intern_client.get(reverse("api-project-detail", args=[project.pk])).status_code == 404

    deactivated = client.post(reverse("api-user-deactivate", args=[user_id]))
    assert deactivated.json()["is_active"] is False


@pytest.mark.parametrize("size", [3, 60])
def test_task_list_runs_a_constant_number_of_queries(
    api_as, project, intern, size, django_assert_num_queries
):
    for n in range(size):
        make_task(project, intern, title=f"T{n}", assignee=intern)
    client = api_as("intern")
    # session, user, count, page, labels prefetch
    with django_assert_num_queries(5):
        response = client.get(reverse("api-task-list"), {"page_size": 200})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_project_list_runs_a_constant_number_of_queries(
    api_as, team, mentor, size, django_assert_num_queries
):
    for n in range(size):
        ProjectFactory(team=team, key=f"K{n}")
    client = api_as("mentor")
    with django_assert_num_queries(4):
        client.get(reverse("api-project-list"), {"page_size": 200})


def test_task_detail_runs_a_constant_number_of_queries(api_as, task, django_assert_num_queries):
    client = api_as("intern")
    # session, user, task with its scope, task for output, labels
    with django_assert_num_queries(5):
        client.get(reverse("api-task-detail", args=[task.pk]))


def test_throttling_answers_429_with_retry_after(api_as, monkeypatch):
    from django.core.cache import cache

    from config.api import ClientRateThrottle

    cache.clear()
    # The rate is read when DRF loads; patch the class, not the settings.
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": "3/minute"})
    client = api_as("intern")
    statuses = [client.get(reverse("api-me")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(reverse("api-me"))
    assert int(limited["Retry-After"]) > 0
    assert "detail" in limited.json()
    cache.clear()


def test_api_and_html_404s_speak_their_own_format(api_as, client, intern):
    assert api_as("intern").get("/api/v1/nowhere/").json() == {"detail": "Not found."}
    client.force_login(intern)
    page = client.get("/nowhere/")
    assert page.status_code == 404
    assert "<html" in page.content.decode()


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/tasks/{id}/move/" in body["paths"]
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "cdn" not in html.lower()
        assert "/static/drf_spectacular_sidecar/" in html


def test_a_token_of_a_removed_member_loses_the_team_at_once(api, team, project, intern):
    from accounts.services import api_token_create
    from teams.services import membership_end

    _, token = api_token_create(user=intern, name="ci", expires_in_days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = reverse("api-project-detail", args=[project.pk])
    assert api.get(url).status_code == 200
    membership_end(membership=Membership.objects.get(team=team, user=intern))
    assert api.get(url).status_code == 404
    assert api.get(reverse("api-task-list")).json()["count"] == 0
    assert api.get(reverse("api-me")).json()["memberships"] == []


@pytest.mark.parametrize("size", [2, 40])
@pytest.mark.parametrize(
    ("endpoint", "persona_name", "queries"),
    [
        # session, user, (scope fetch,) count, page (+ prefetch)
        ("users", "staff", 4),
        ("teams", "staff", 4),
        ("cohorts", "staff", 4),
        ("members", "intern", 5),
        ("comments", "intern", 5),
    ],
)
def test_lists_run_a_constant_number_of_queries(
    api_as,
    team,
    project,
    task,
    intern,
    size,
    endpoint,
    persona_name,
    queries,
    django_assert_num_queries,
):
    from tests.accounts.factories import UserFactory
    from tests.teams.factories import CohortFactory, TeamFactory

    for n in range(size):
        user = UserFactory()
        MembershipFactory(team=team, user=user)
        TeamFactory(cohort=CohortFactory())
        comment_create(task=task, by=intern, body=f"Comment {n}")
    urls = {
        "users": reverse("api-user-list"),
        "teams": reverse("api-team-list"),
        "cohorts": reverse("api-cohort-list"),
        "members": reverse("api-team-members", args=[team.pk]),
        "comments": reverse("api-task-comments", args=[task.pk]),
    }
    client = api_as(persona_name)
    with django_assert_num_queries(queries):
        response = client.get(urls[endpoint], {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= size


def test_token_requests_speak_the_owners_language(api, project, intern):
    from accounts.services import api_token_create

    intern.preferred_language = "ru"
    intern.save()
    _, token = api_token_create(user=intern, name="ru", expires_in_days=None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.post(
        reverse("api-task-list"), {"project": project.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Некорректные данные."
