"""Bad input on the HTML side answers 4xx, never 500 (ids out of range, junk parameters)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.tasks.factories import column, make_task

HUGE = "9" * 30


@pytest.mark.parametrize(
    "path",
    [
        f"/tasks/{HUGE}/",
        f"/projects/{HUGE}/board/",
        f"/projects/{HUGE}/settings/",
        f"/teams/{HUGE}/",
        f"/projects/{HUGE}/webhooks/",
    ],
)
def test_out_of_range_ids_are_404(client, intern, path):
    client.force_login(intern)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"after": HUGE},
        {"after": "-" + HUGE},
        {"after": "abc"},
        {"after": "1", "assignee": HUGE, "label": "x", "priority": "\x00", "q": "\x00" * 3},
    ],
)
def test_junk_board_parameters_never_fail(client, intern, project, params):
    make_task(project, intern)
    client.force_login(intern)
    todo = column(project, "To do")
    more = client.get(
        reverse("board_column_more", args=[project.pk, todo.pk]), params, HTTP_HX_REQUEST="true"
    )
    assert more.status_code in {200, 400}
    board = client.get(reverse("board", args=[project.pk]), params)
    assert board.status_code == 200
    changes = client.get(
        reverse("board_changes", args=[project.pk]),
        {"state": "\x00", "since": HUGE},
        HTTP_HX_REQUEST="true",
    )
    assert changes.status_code == 200


def test_junk_move_values_are_a_400(client, intern, project):
    task = make_task(project, intern)
    client.force_login(intern)
    for data in (
        {"column": HUGE, "position": 0, "version": 1},
        {"column": column(project, "Done").pk, "position": HUGE, "version": HUGE},
        {"column": "\x00", "position": "x", "version": ""},
        {"column": column(project, "In progress").pk, "version": 1, "before": HUGE},
    ):
        response = client.post(reverse("task_move", args=[task.pk]), data, HTTP_HX_REQUEST="true")
        assert response.status_code in {200, 400}, data
