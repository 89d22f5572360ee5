"""The projects API (``/api/v1/projects/`` and their columns): permissions and queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.state import snapshot
from tests.conftest import persona_matrix
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column


def read_urls(project):
    return {
        "projects": reverse("api-project-list"),
        "project": reverse("api-project-detail", args=[project.pk]),
        "columns": reverse("api-column-list", args=[project.pk]),
        "column": reverse("api-column-detail", args=[project.pk, column(project, "Review").pk]),
    }


READ_MATRIX = {
    #            anonymous staff mentor intern outsider
    "projects": (401, 200, 200, 200, 200),
    "project": (401, 200, 200, 200, 404),
    "columns": (401, 200, 200, 200, 404),
    "column": (401, 200, 200, 200, 404),
}


@pytest.mark.parametrize(("endpoint", "persona_name", "expected"), persona_matrix(READ_MATRIX))
def test_read_permission_matrix(
    api_as, team, project, intern, mentor, endpoint, persona_name, expected
):
    client = api_as(persona_name)
    response = client.get(read_urls(project)[endpoint])
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert "detail" in response.json()


def write_requests(team, project):
    todo = column(project, "To do")
    return {
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
    }


WRITE_MATRIX = {
    #                 anonymous staff mentor intern outsider
    "project_create": (401, 201, 201, 403, 403),  # interns create no projects anywhere
    "project_patch": (401, 200, 200, 403, 404),
    "column_create": (401, 201, 201, 403, 404),
    "column_patch": (401, 200, 200, 403, 404),
}


@pytest.mark.parametrize(("action", "persona_name", "expected"), persona_matrix(WRITE_MATRIX))
def test_write_permission_matrix(
    api_as, team, project, intern, mentor, action, persona_name, expected
):
    method, url, data = write_requests(team, project)[action]
    client = api_as(persona_name)  # before the snapshot: a persona may create its membership
    before = snapshot()
    response = getattr(client, method)(url, data, format="json")
    assert response.status_code == expected, response.content
    assert (snapshot() != before) == (expected < 300)


@pytest.mark.parametrize("size", [2, 30])
def test_project_list_runs_a_constant_number_of_queries(
    api_as, team, mentor, size, django_assert_num_queries
):
    for n in range(size):
        ProjectFactory(team=team, key=f"K{n}")
    client = api_as("mentor")
    with django_assert_num_queries(4):
        client.get(reverse("api-project-list"), {"page_size": 200})
