"""Pages of the projects context: permission matrix and behaviour."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Column, Project

# (url name, kwargs builder) → expected status per persona for a GET.
PAGES = {
    "dashboard": lambda f: reverse("dashboard"),
    "team_detail": lambda f: reverse("team_detail", args=[f["team"].pk]),
    "project_create": lambda f: reverse("project_create", args=[f["team"].pk]),
    "project_settings": lambda f: reverse("project_settings", args=[f["project"].pk]),
}

GET_MATRIX = {
    #                  anonymous staff mentor intern outsider
    "dashboard": (302, 200, 200, 200, 200),
    "team_detail": (302, 200, 200, 200, 404),
    "project_create": (302, 200, 200, 403, 404),
    "project_settings": (302, 200, 200, 403, 404),
}
PERSONAS = ("anonymous", "staff", "mentor", "intern", "outsider")


@pytest.mark.parametrize(
    ("page", "persona_name", "expected"),
    [
        (page, name, status)
        for page, statuses in GET_MATRIX.items()
        for name, status in zip(PERSONAS, statuses, strict=True)
    ],
)
def test_page_permission_matrix(client, persona, team, project, page, persona_name, expected):
    persona(persona_name)
    response = client.get(PAGES[page]({"team": team, "project": project}))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def _column_urls(project, column):
    return {
        "column_create": (
            reverse("column_create", args=[project.pk]),
            {"name": "QA", "category": "review"},
        ),
        "column_update": (
            reverse("column_update", args=[project.pk, column.pk]),
            {"name": "Renamed", "category": column.category},
        ),
        "column_move": (reverse("column_move", args=[project.pk, column.pk]), {"position": 2}),
        "column_delete": (reverse("column_delete", args=[project.pk, column.pk]), {}),
        "project_archive": (reverse("project_archive", args=[project.pk]), {"archived": "1"}),
        "project_settings": (
            reverse("project_settings", args=[project.pk]),
            {"name": "Renamed", "key": "WEB", "description": "", "review_required": "on"},
        ),
    }


POST_MATRIX = {
    #                  anonymous staff mentor intern outsider
    "column_create": (302, 302, 302, 403, 404),
    "column_update": (302, 302, 302, 403, 404),
    "column_move": (302, 302, 302, 403, 404),
    "column_delete": (302, 302, 302, 403, 404),
    "project_archive": (302, 302, 302, 403, 404),
    "project_settings": (302, 302, 302, 403, 404),
}


@pytest.mark.parametrize(
    ("action", "persona_name", "expected"),
    [
        (action, name, status)
        for action, statuses in POST_MATRIX.items()
        for name, status in zip(PERSONAS, statuses, strict=True)
    ],
)
def test_project_write_permission_matrix(client, persona, project, action, persona_name, expected):
    # An extra empty todo column so deleting it is allowed for those who may.
    column = Column.objects.create(project=project, name="Extra", category="todo", position=5)
    before = (
        list(Column.objects.filter(project=project).values_list("name", "position", "category")),
        Project.objects.values_list("name", "archived").get(pk=project.pk),
    )
    user = persona(persona_name)
    url, data = _column_urls(project, column)[action]
    response = client.post(url, data)
    assert response.status_code == expected
    after = (
        list(Column.objects.filter(project=project).values_list("name", "position", "category")),
        Project.objects.values_list("name", "archived").get(pk=project.pk),
    )
    allowed = user is not None and expected == 302
    assert (after != before) == allowed
