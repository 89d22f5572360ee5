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


def test_long_or_invalid_filters_are_ignored_and_not_echoed_into_every_card(
    client, intern, project
):
    """A 3.9 KB query string once made a 1.1 MB board: it was echoed into each card's form."""
    for n in range(40):
        make_task(project, intern, title=f"Card {n}")
    client.force_login(intern)
    board = reverse("board", args=[project.pk])
    baseline = client.get(board)
    junk = "x" * 3900
    params = {"q": junk, "assignee": junk, "label": "z" + junk, "priority": junk, "mine": ""}
    response = client.get(board, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="task-card') == 40  # the invalid filters filter nothing
    # Nothing of the junk in the cards, the filter form, the poll or the links.
    assert junk[:100] not in body
    assert len(response.content) < len(baseline.content) + 1000
    more = client.get(
        reverse("board_column_more", args=[project.pk, column(project, "To do").pk]),
        {**params, "after": "-1"},
    )
    assert more.status_code == 200
    assert junk[:100] not in more.content.decode()


def test_valid_filters_are_kept_in_the_links_in_their_clean_form(client, intern, mentor, project):
    make_task(project, intern, title="Beta bug", assignee=mentor)
    client.force_login(intern)
    body = client.get(
        reverse("board", args=[project.pk]),
        {"q": "  beta ", "assignee": str(mentor.pk), "label": "999", "priority": "nope"},
    ).content.decode()
    assert "Beta bug" in body
    assert f"?q=beta&amp;assignee={mentor.pk}" in body
    assert "label=999" not in body
    assert "priority=nope" not in body
    assert 'value="nope"' not in body
