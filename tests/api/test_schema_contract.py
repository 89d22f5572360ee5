"""The OpenAPI schema as generated clients meet it, and the server keeping to it.

Each promise is checked twice where it can be: in the schema (what a client
generator reads) and in behaviour (what the server does with such a request).
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.services import api_token_create
from projects.models import Column
from tasks.models import Priority, Task
from tasks.services import task_edit
from tests.tasks.factories import make_task

SCHEMA_URL = "/api/schema/?format=json"
CYRILLIC = re.compile("[\u0400-\u04ff]")
METHODS = {"get", "post", "put", "patch", "delete"}


def _schema(client, **extra) -> dict:
    response = client.get(SCHEMA_URL, **extra)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def schema(client, db) -> dict:
    return _schema(client)


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _operation(schema: dict, operation_id: str) -> dict:
    return next(op for _p, _m, op in _operations(schema) if op["operationId"] == operation_id)


def _parameter(schema: dict, operation_id: str, name: str) -> dict:
    operation = _operation(schema, operation_id)
    return next(p for p in operation["parameters"] if p["name"] == name)


def _component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.removeprefix("#/components/schemas/")]


# -- 1: one English schema, whoever asks -------------------------------------------------


@pytest.mark.django_db
def test_the_schema_is_byte_identical_english_whoever_asks(client, intern, mentor):
    intern.preferred_language = "ru"
    intern.save(update_fields=["preferred_language"])
    mentor.preferred_language = "ru"
    mentor.save(update_fields=["preferred_language"])
    _, token = api_token_create(user=mentor, name="ci", expires_in_days=None)

    anonymous = client.get(SCHEMA_URL).content
    variants = {
        "anonymous": anonymous,
        "accept-language ru": client.get(SCHEMA_URL, HTTP_ACCEPT_LANGUAGE="ru").content,
        "accept-language en": client.get(SCHEMA_URL, HTTP_ACCEPT_LANGUAGE="en").content,
        "lang=en": client.get(f"{SCHEMA_URL}&lang=en").content,
        "token owner speaks ru": client.get(
            SCHEMA_URL, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en"
        ).content,
    }
    client.force_login(intern)
    variants["session user speaks ru"] = client.get(SCHEMA_URL).content
    variants["session user, accept-language en"] = client.get(
        SCHEMA_URL, HTTP_ACCEPT_LANGUAGE="en"
    ).content
    for name, content in variants.items():
        assert content == anonymous, name
    # English through and through, including what was translated at import time.
    assert not CYRILLIC.search(anonymous.decode()), CYRILLIC.search(anonymous.decode())


def _without_text(value):
    if isinstance(value, dict):
        return {
            key: _without_text(item)
            for key, item in value.items()
            if key not in {"description", "summary"}
        }
    if isinstance(value, list):
        return [_without_text(item) for item in value]
    return value


@pytest.mark.django_db
def test_the_russian_copy_translates_text_only_never_names(client):
    english = _schema(client)
    russian = client.get(f"{SCHEMA_URL}&lang=ru").json()
    assert CYRILLIC.search(json.dumps(russian, ensure_ascii=False))
    assert json.dumps(_without_text(russian), sort_keys=True) == json.dumps(
        _without_text(english), sort_keys=True
    )


def test_component_names_are_plain_ascii_identifiers(schema):
    for name in schema["components"]["schemas"]:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name


# -- 2: shared, named enums --------------------------------------------------------------


def test_task_filters_reference_the_shared_enums(schema):
    category = _parameter(schema, "tasks_list", "category")["schema"]
    priority = _parameter(schema, "tasks_list", "priority")["schema"]
    assert category == {"$ref": "#/components/schemas/CategoryEnum"}
    assert priority == {"$ref": "#/components/schemas/PriorityEnum"}
    task = schema["components"]["schemas"]["Task"]["properties"]
    assert task["category"]["allOf"][0]["$ref"].endswith("/CategoryEnum") or task["category"][
        "$ref"
    ].endswith("/CategoryEnum")


def test_no_parameter_copies_a_shared_enum(schema):
    shared = {
        frozenset(component["enum"])
        for component in schema["components"]["schemas"].values()
        if "enum" in component
    }
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            inner = parameter["schema"].get("items", parameter["schema"])
            where = (path, method, parameter["name"])
            assert frozenset(inner.get("enum", ())) not in shared, where
            # Generators name an inline enum after its title: a label, maybe translated.
            assert "title" not in parameter["schema"], where
            assert "title" not in inner, where


def test_ordering_choices_are_named(schema):
    ordering = _parameter(schema, "tasks_list", "ordering")
    enum = _component(schema, ordering["schema"]["items"]["$ref"])
    names = dict(zip(enum["enum"], enum["x-enum-varnames"], strict=True))
    assert names["-updated_at"] == "ORDERING_UPDATED_AT_DESC"
    assert names["updated_at"] == "ORDERING_UPDATED_AT"
    assert len(set(names.values())) == len(names)


@pytest.mark.parametrize(
    ("component", "field", "enum"),
    [
        ("Task", "category", "CategoryEnum"),
        ("ReviewResult", "decision", "DecisionEnum"),
        ("MembershipOfMe", "role", "RoleEnum"),
    ],
)
def test_enum_fields_of_responses_are_enums(schema, component, field, enum):
    prop = schema["components"]["schemas"][component]["properties"][field]
    refs = [prop.get("$ref")] + [part.get("$ref") for part in prop.get("allOf", [])]
    assert f"#/components/schemas/{enum}" in refs


# -- 3: typed errors ---------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", ["tasks_move", "tasks_partial_update", "tasks_review"])
def test_a_task_409_has_its_own_schema_whose_current_is_a_task(schema, operation_id):
    response = _operation(schema, operation_id)["responses"]["409"]
    conflict = _component(schema, response["content"]["application/json"]["schema"]["$ref"])
    assert conflict["properties"]["current"]["allOf"][0]["$ref"] == "#/components/schemas/Task" or (
        conflict["properties"]["current"].get("$ref") == "#/components/schemas/Task"
    )
    assert {"detail", "code", "current"} <= set(conflict["required"])


def test_every_operation_declares_429_with_retry_after_and_coded_errors(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert "Retry-After" in responses["429"]["headers"], (path, method)
        for status in ("400", "401", "404", "429"):
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert "code" in _component(schema, ref)["required"], (path, method, status)


@pytest.fixture
def move_world(project, intern):
    task = make_task(project, intern, title="Conflict", assignee=intern)
    doing = Column.objects.get(project=project, name="In progress")
    return task, doing


def test_a_stale_move_is_a_409_whose_current_is_the_task_as_the_schema_says(
    api_as, move_world, intern, schema
):
    task, doing = move_world
    fresh = task_edit(
        task=task, by=intern, version=task.version, assignee=intern, labels=[], title="Edited"
    )
    response = api_as("intern").post(
        reverse("api-task-move", args=[task.pk]),
        {"column": doing.pk, "position": 0, "version": task.version},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"]
    assert body["current"]["version"] == fresh.version
    assert body["current"]["title"] == "Edited"
    assert set(body["current"]) == set(schema["components"]["schemas"]["Task"]["properties"])


def test_error_bodies_carry_a_stable_code(api_as, api, client, project, intern, move_world):
    task, doing = move_world
    intern_client = api_as("intern")
    cases = [
        # validation
        (intern_client.post(reverse("api-task-list"), {}, format="json"), 400, "invalid"),
        # a business rule keeps its own code
        (
            api_as("mentor").delete(
                reverse("api-column-detail", args=[project.pk, task.column_id])
            ),
            400,
            "column_not_empty",
        ),
        (intern_client.get("/api/v1/tasks/999999/"), 404, "not_found"),
        (intern_client.get("/api/v1/nowhere/"), 404, "not_found"),
        (intern_client.get(reverse("api-user-list")), 403, "permission_denied"),
        (intern_client.put(reverse("api-task-detail", args=[task.pk])), 405, "method_not_allowed"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.content
        assert response.json()["code"] == code, response.json()
        assert response.json()["detail"]
    anonymous = client.get(reverse("api-me"))
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    bad_token = client.get(reverse("api-me"), HTTP_AUTHORIZATION="Bearer nope")
    assert (bad_token.status_code, bad_token.json()["code"]) == (401, "authentication_failed")


def test_the_code_does_not_follow_the_language(api_as, intern):
    client = api_as("intern")
    english = client.get("/api/v1/tasks/999999/", HTTP_ACCEPT_LANGUAGE="en").json()
    intern.preferred_language = "ru"
    intern.save(update_fields=["preferred_language"])
    russian = client.get("/api/v1/tasks/999999/").json()
    assert english["code"] == russian["code"] == "not_found"


def test_throttled_is_a_429_with_retry_after_and_a_code(api_as, monkeypatch):
    from config.api import ClientRateThrottle

    cache.clear()
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": "1/minute"})
    client = api_as("intern")
    assert client.get(reverse("api-me")).status_code == 200
    limited = client.get(reverse("api-me"))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["code"] == "throttled"
    cache.clear()


# -- 4: the request side -----------------------------------------------------------------


def test_patch_task_requires_version_in_schema_and_server(schema, api_as, move_world):
    task, _doing = move_world
    body = _operation(schema, "tasks_partial_update")["requestBody"]
    component = _component(schema, body["content"]["application/json"]["schema"]["$ref"])
    assert component["required"] == ["version"]
    assert body["required"] is True
    response = api_as("intern").patch(
        reverse("api-task-detail", args=[task.pk]), {"title": "No version"}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


ID_FILTERS = [
    ("tasks_list", "api-task-list", "project"),
    ("tasks_list", "api-task-list", "column"),
    ("tasks_list", "api-task-list", "assignee"),
    ("tasks_list", "api-task-list", "label"),
    ("projects_list", "api-project-list", "team"),
    ("teams_list", "api-team-list", "cohort"),
]


@pytest.mark.parametrize(("operation_id", "url_name", "name"), ID_FILTERS)
def test_id_filters_are_integers_in_schema_and_server(
    schema, api_as, project, operation_id, url_name, name
):
    assert _parameter(schema, operation_id, name)["schema"]["type"] == "integer"
    client = api_as("intern")
    for junk in ("1.5", "1.0", "x", "-1", "0"):
        response = client.get(reverse(url_name), {name: junk})
        assert response.status_code == 400, (name, junk)
        assert name in response.json()["errors"]
        assert response.json()["code"] == "invalid"
    assert client.get(reverse(url_name), {name: "1"}).status_code == 200


def test_project_1_5_does_not_filter_project_1(api_as, project, intern):
    make_task(project, intern)
    response = api_as("intern").get(reverse("api-task-list"), {"project": f"{project.pk}.5"})
    assert response.status_code == 400


def test_search_is_limited_to_100_characters_in_schema_and_server(schema, api_as, project):
    assert _parameter(schema, "tasks_list", "search")["schema"]["maxLength"] == 100
    client = api_as("intern")
    assert client.get(reverse("api-task-list"), {"search": "x" * 100}).status_code == 200
    response = client.get(reverse("api-task-list"), {"search": "x" * 101})
    assert response.status_code == 400
    assert "search" in response.json()["errors"]


@pytest.fixture
def ordered_tasks(project, intern):
    # Two priorities, two tasks each: only a second key orders within a priority.
    return [
        make_task(project, intern, title=f"T{n}", priority=priority)
        for n, priority in enumerate([Priority.LOW, Priority.HIGH, Priority.LOW, Priority.HIGH])
    ]


def _numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [task["number"] for task in response.json()["results"]]


def test_ordering_by_several_keys_as_repeated_parameters_or_commas(schema, api_as, ordered_tasks):
    ordering = _parameter(schema, "tasks_list", "ordering")
    assert ordering["explode"] is True
    assert ordering["schema"]["type"] == "array"
    client = api_as("intern")
    url = reverse("api-task-list")
    expected = [
        task.number
        for task in Task.objects.filter(pk__in=[t.pk for t in ordered_tasks]).order_by(
            "priority", "-number"
        )
    ]
    repeated = _numbers(client.get(f"{url}?ordering=priority&ordering=-number"))
    commas = _numbers(client.get(f"{url}?ordering=priority,-number"))
    assert repeated == commas == expected
    # Not just the last key: by number alone the order differs.
    assert _numbers(client.get(f"{url}?ordering=-number")) != expected
    for junk in ("nope", "priority&ordering=nope", "-"):
        response = client.get(f"{url}?ordering={junk}")
        assert response.status_code == 400, junk
        assert "ordering" in response.json()["errors"]


@pytest.mark.parametrize(
    ("operation_id", "url_name"),
    [("tasks_list", "api-task-list"), ("projects_list", "api-project-list")],
)
def test_archived_takes_true_or_false_only(schema, api_as, project, operation_id, url_name):
    parameter = _parameter(schema, operation_id, "archived")
    assert parameter["schema"]["type"] == "boolean"
    assert "true" in parameter["description"]
    client = api_as("mentor")
    for junk in ("1", "0", "yes", "", "True", "on"):
        response = client.get(f"{reverse(url_name)}?archived={junk}")
        assert response.status_code == 400, junk
        assert "archived" in response.json()["errors"]
    for value in ("true", "false"):
        assert client.get(reverse(url_name), {"archived": value}).status_code == 200


def test_archived_true_lists_archived_tasks_only(api_as, project, intern):
    from tasks.services import task_set_archived

    kept = make_task(project, intern, title="Kept")
    gone = task_set_archived(
        task=make_task(project, intern, title="Gone"), by=intern, archived=True
    )
    client = api_as("intern")
    url = reverse("api-task-list")
    assert [t["id"] for t in client.get(url, {"archived": "true"}).json()["results"]] == [gone.pk]
    assert [t["id"] for t in client.get(url, {"archived": "false"}).json()["results"]] == [kept.pk]


# -- 5: names and docs -------------------------------------------------------------------


def test_every_operation_has_a_clear_id_a_summary_and_a_description(schema):
    """Covers every endpoint there is, including ones added later: no exceptions list."""
    seen = set()
    for path, method, operation in _operations(schema):
        where = f"{method.upper()} {path}"
        operation_id = operation["operationId"]
        assert operation_id not in seen, where
        seen.add(operation_id)
        assert re.fullmatch(r"[a-z][a-z0-9_]*", operation_id), where
        assert operation.get("summary", "").strip(), f"{where} has no summary"
        assert operation.get("description", "").strip(), f"{where} has no description"
        methods = set(schema["paths"][path]) & METHODS
        # drf-spectacular names an action on its own path ``<path>_create`` (a POST)
        # or ``<path>_update``: only a collection creates, only a readable object updates.
        if operation_id.endswith("_create"):
            assert "get" in methods, f"{where}: name the action ({operation_id})"
        if operation_id.endswith(("_update", "_partial_update")):
            assert "get" in methods, f"{where}: name the action ({operation_id})"


@pytest.mark.parametrize(
    ("path", "operation_id"),
    [
        ("/api/v1/tasks/{id}/move/", "tasks_move"),
        ("/api/v1/tasks/{id}/review/", "tasks_review"),
        ("/api/v1/users/{id}/deactivate/", "users_deactivate"),
    ],
)
def test_actions_are_named(schema, path, operation_id):
    assert schema["paths"][path]["post"]["operationId"] == operation_id


def test_the_column_list_is_documented_and_served_as_a_bare_array(schema, api_as, project):
    operation = schema["paths"]["/api/v1/projects/{id}/columns/"]["get"]
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response_schema["type"] == "array"
    assert "not paginated" in operation["description"]
    body = api_as("intern").get(reverse("api-column-list", args=[project.pk])).json()
    assert isinstance(body, list)
    assert [column["name"] for column in body][:2] == ["Backlog", "To do"]
