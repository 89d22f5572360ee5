"""Junk input answers a 4xx JSON error, never a 500, and the schema says what is accepted.

- ``GET /api/schema/``: ``version`` and ``lang`` take known values only, and
  nothing the client sends reaches the download's file name (a header).
- JSON bodies nested deeper than ``config.parsers.MAX_DEPTH`` are a 400.
- Query parameters: ids are positive integers, ``page_size`` 1..200,
  ``archived`` exactly ``true`` or ``false``; the schema declares the same.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from config.parsers import MAX_DEPTH
from projects.models import Project
from tasks.models import Comment, Task
from tests.tasks.factories import make_task

SCHEMA_URL = "/api/schema/"


# -- 20: the schema download -----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "version=%00",
        "version=%0b",
        "version=a%0d%0aX-Injected:%201",
        "version=%0a",
        "format=json&version=%0d%0a",
        "version=x%22;%20filename=evil.exe",
        "version=v2",
        "version=" + "v" * 5000,
        "lang=%00",
        "lang=..%2F..%2Fetc",
        "lang=xx",
    ],
)
@pytest.mark.django_db
def test_junk_schema_parameters_are_a_400_json_error_for_anonymous_users(client, query):
    response = client.get(f"{SCHEMA_URL}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert "Content-Disposition" not in response
    assert "X-Injected" not in response


@pytest.mark.parametrize(
    ("query", "filename"),
    [
        ("", "internboard-api-v1.yaml"),
        ("format=json", "internboard-api-v1.json"),
        ("version=v1", "internboard-api-v1.yaml"),
        ("lang=ru&format=json", "internboard-api-v1.json"),
    ],
)
@pytest.mark.django_db
def test_the_schema_file_name_is_fixed_whatever_the_client_sends(client, query, filename):
    response = client.get(f"{SCHEMA_URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'


@pytest.mark.django_db
def test_the_schema_in_russian_speaks_russian(client):
    english = client.get(f"{SCHEMA_URL}?format=json&lang=en").json()
    russian = client.get(f"{SCHEMA_URL}?format=json&lang=ru").json()
    assert english != russian


# -- 21: bodies nested too deep -------------------------------------------------------------


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _nested_in_field(field: bytes, depth: int, extra: bytes = b"") -> bytes:
    return b"{" + extra + b'"' + field + b'": ' + _nested(depth) + b"}"


@pytest.fixture
def deep_targets(project, task, mentor):
    """(client persona, URL, method, field to nest into, the rest of a valid body)."""
    return {
        "task_patch": (
            "intern",
            reverse("api-task-detail", args=[task.pk]),
            "PATCH",
            b"labels",
            f'"version": {task.version}, '.encode(),
        ),
        "task_create": (
            "intern",
            reverse("api-task-list"),
            "POST",
            b"labels",
            f'"project": {project.pk}, "title": "x", '.encode(),
        ),
        "comment": ("intern", reverse("api-task-comments", args=[task.pk]), "POST", b"body", b""),
        "webhook": (
            "mentor",
            reverse("api-webhook-list", args=[project.pk]),
            "POST",
            b"events",
            b'"url": "https://example.com/hook", ',
        ),
        "column": (
            "mentor",
            reverse("api-column-list", args=[project.pk]),
            "POST",
            b"name",
            b'"category": "todo", ',
        ),
    }


@pytest.fixture
def task(project, intern):
    return make_task(project, intern, title="Deep", assignee=intern)


def _state():
    return (
        sorted(Task.objects.values_list("pk", "title", "version")),
        Comment.objects.count(),
        sorted(Project.objects.values_list("pk", "name")),
    )


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("target", ["task_patch", "task_create", "comment", "webhook", "column"])
def test_a_body_nested_too_deep_is_a_400_with_a_clear_message(api_as, deep_targets, target, depth):
    persona, url, method, field, rest = deep_targets[target]
    client = api_as(persona)
    before = _state()
    for body in (_nested(depth), _nested_in_field(field, depth, rest)):
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 400, response.content[:300]
        assert response.json() == {
            "detail": f"JSON nested deeper than {MAX_DEPTH} levels.",
            "code": "parse_error",
        }
    assert _state() == before


def test_nesting_up_to_the_limit_is_parsed_and_then_validated(api_as, task):
    client = api_as("intern")
    url = reverse("api-task-comments", args=[task.pk])
    # MAX_DEPTH levels in all, counting the outer object.
    within = _nested_in_field(b"body", MAX_DEPTH - 1)
    response = client.generic("POST", url, within, content_type="application/json")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    beyond = _nested_in_field(b"body", MAX_DEPTH)
    response = client.generic("POST", url, beyond, content_type="application/json")
    assert response.status_code == 400
    assert "errors" not in response.json()


def test_deep_objects_and_brackets_inside_strings_are_told_apart(api_as, task):
    client = api_as("intern")
    url = reverse("api-task-comments", args=[task.pk])
    brackets = "[" * 5000 + "{" * 5000
    text = client.post(url, {"body": brackets[:9000]}, format="json")
    assert text.status_code == 201
    deep_objects = b'{"a": ' * 2000 + b"1" + b"}" * 2000
    response = client.generic("POST", url, deep_objects, content_type="application/json")
    assert response.status_code == 400
    assert "deeper" in response.json()["detail"]


def test_junk_json_is_still_a_parse_error(api_as, task):
    client = api_as("intern")
    url = reverse("api-task-comments", args=[task.pk])
    for body in (b"[[[", b'{"body": NaN}', b"\xff\xfe", b'{"body": "x"'):
        response = client.generic("POST", url, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"].startswith("JSON parse error")


# -- 22: query parameters and the schema agree -----------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "parameter"),
    [
        ("api-task-list", "project"),
        ("api-task-list", "column"),
        ("api-task-list", "assignee"),
        ("api-task-list", "label"),
        ("api-project-list", "team"),
        ("api-team-list", "cohort"),
    ],
)
@pytest.mark.parametrize(
    "value", ["0", "-1", "1.5", "1.0", "abc", "null", "1e3", "\u0661", "99999999999999999999"]
)
def test_id_filters_take_positive_integers_only(api_as, project, url_name, parameter, value):
    response = api_as("intern").get(reverse(url_name), {parameter: value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]
    assert response.json()["errors"][parameter][0]


@pytest.mark.parametrize(
    ("url_name", "parameter"),
    [
        ("api-task-list", "project"),
        ("api-task-list", "column"),
        ("api-task-list", "assignee"),
        ("api-task-list", "label"),
        ("api-project-list", "team"),
        ("api-team-list", "cohort"),
    ],
)
def test_a_valid_id_filter_filters(api_as, project, intern, url_name, parameter):
    response = api_as("intern").get(reverse(url_name), {parameter: "987654"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", ["null", "0", "-5", "201", "1.5", "abc", "", "100000"])
@pytest.mark.parametrize("url_name", ["api-task-list", "api-project-list", "api-team-list"])
def test_page_size_outside_1_to_200_is_a_400(api_as, project, url_name, value):
    response = api_as("intern").get(reverse(url_name), {"page_size": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]


@pytest.mark.parametrize("value", ["1", "200"])
def test_page_size_within_1_to_200_is_used(api_as, project, intern, value):
    for n in range(3):
        make_task(project, intern, title=f"T{n}")
    body = api_as("intern").get(reverse("api-task-list"), {"page_size": value}).json()
    assert len(body["results"]) == min(int(value), 3)


@pytest.mark.parametrize("value", ["1", "0", "2", "yes", "True", "FALSE", "null", "on"])
@pytest.mark.parametrize("url_name", ["api-task-list", "api-project-list"])
def test_archived_is_strictly_true_or_false(api_as, project, url_name, value):
    response = api_as("intern").get(reverse(url_name), {"archived": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["archived"]


def test_a_cohort_filter_tells_nothing_about_other_cohorts(api_as, team, other_team, project):
    from tests.teams.factories import CohortFactory

    hidden = CohortFactory()
    client = api_as("intern")
    for cohort_id in (hidden.pk, 987654):
        response = client.get(reverse("api-team-list"), {"cohort": cohort_id})
        assert (response.status_code, response.json()["count"]) == (200, 0)
    own = client.get(reverse("api-team-list"), {"cohort": team.cohort_id}).json()
    assert [row["id"] for row in own["results"]] == [team.pk]


@pytest.mark.parametrize("parameter", ["is_active", "is_staff"])
@pytest.mark.parametrize("value", ["1", "5", "yes", "True", "null"])
def test_user_list_booleans_are_strictly_true_or_false(api_as, staff, parameter, value):
    response = api_as("staff").get(reverse("api-user-list"), {parameter: value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_user_list_booleans_filter(api_as, staff, intern):
    client = api_as("staff")

    def usernames(**params):
        response = client.get(reverse("api-user-list"), params)
        assert response.status_code == 200
        return [row["username"] for row in response.json()["results"]]

    assert usernames(is_staff="true") == ["staff"]
    assert "staff" not in usernames(is_staff="false")


def test_archived_filters_tasks_and_defaults_to_open_ones(api_as, project, intern):
    from tasks.services import task_set_archived

    make_task(project, intern, title="Open")
    task_set_archived(task=make_task(project, intern, title="Old"), by=intern, archived=True)
    client = api_as("intern")

    def titles(**params):
        response = client.get(reverse("api-task-list"), params)
        assert response.status_code == 200
        return [row["title"] for row in response.json()["results"]]

    assert titles() == ["Open"]
    assert titles(archived="false") == ["Open"]
    assert titles(archived="true") == ["Old"]


def test_archived_filters_projects(api_as, team, project):
    from tests.projects.factories import ProjectFactory

    ProjectFactory(team=team, key="OLD", archived=True)
    client = api_as("intern")

    def keys(**params):
        response = client.get(reverse("api-project-list"), params)
        assert response.status_code == 200
        return [row["key"] for row in response.json()["results"]]

    assert keys(archived="true") == ["OLD"]
    assert keys(archived="false") == ["WEB"]
    assert keys() == ["WEB", "OLD"]


def _query_parameters(path: str) -> dict[str, dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][path]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/tasks/", "project"),
        ("/api/v1/tasks/", "column"),
        ("/api/v1/tasks/", "assignee"),
        ("/api/v1/tasks/", "label"),
        ("/api/v1/projects/", "team"),
        ("/api/v1/teams/", "cohort"),
    ],
)
def test_the_schema_declares_id_filters_as_positive_integers(path, parameter):
    schema = _query_parameters(path)[parameter]
    assert schema["type"] == "integer"
    assert schema["minimum"] == 1
    assert schema["maximum"] == 2**63 - 1


@pytest.mark.parametrize(
    "path",
    ["/api/v1/tasks/", "/api/v1/projects/", "/api/v1/teams/", "/api/v1/tasks/{id}/comments/"],
)
def test_the_schema_declares_page_size_1_to_200_and_page_from_1(path):
    parameters = _query_parameters(path)
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["page"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/tasks/", "archived"),
        ("/api/v1/projects/", "archived"),
        ("/api/v1/users/", "is_active"),
        ("/api/v1/users/", "is_staff"),
    ],
)
def test_the_schema_declares_boolean_filters(path, parameter):
    assert _query_parameters(path)[parameter] == {"type": "boolean"}


def test_the_schema_declares_the_search_length_that_is_enforced(api_as, project):
    limit = _query_parameters("/api/v1/tasks/")["search"]["maxLength"]
    client = api_as("intern")
    assert client.get(reverse("api-task-list"), {"search": "x" * limit}).status_code == 200
    too_long = client.get(reverse("api-task-list"), {"search": "x" * (limit + 1)})
    assert too_long.status_code == 400
    assert list(too_long.json()["errors"]) == ["search"]
