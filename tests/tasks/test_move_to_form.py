"""The task page's "Move to" form names places, not 0-based numbers (issue 11, item 10).

"Bottom of the column", "Top of the column" or "after <card>" of a column's first cards;
the browser sends the position ``task_move`` reads (empty: the bottom).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tasks.models import Task
from tests.tasks.factories import column, make_task

pytestmark = pytest.mark.django_db


def position_select(html: str, task: Task) -> str:
    match = re.search(
        rf'<select name="position" id="task-{task.pk}-move-position".*?</select>', html, re.S
    )
    assert match, html
    return match.group(0)


def options(select: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def titles(project, name: str) -> list[str]:
    return list(
        Task.objects.live()
        .filter(column=column(project, name))
        .order_by("rank")
        .values_list("title", flat=True)
    )


def test_position_is_a_choice_of_places(client, project, intern):
    moving = make_task(project, intern, title="Moving")
    make_task(project, intern, title="Alpha", column_name="In progress")
    make_task(project, intern, title="Beta", column_name="In progress")
    make_task(project, intern, title="Gamma")
    client.force_login(intern)
    html = client.get(reverse("task_detail", args=[moving.pk])).content.decode()
    select = position_select(html, moving)
    assert f'<label for="task-{moving.pk}-move-position">Position</label>' in html
    assert 'type="number"' not in html[html.index('id="move-to"') :].split("</form>")[0]
    found = options(select)
    assert found[:2] == [("", "Bottom of the column"), ("0", "Top of the column")]
    assert '<optgroup label="In “In progress”">' in select
    key = project.key
    assert ("1", f"after {key}-2 Alpha") in found
    assert ("2", f"after {key}-3 Beta") in found
    assert ("1", f"after {key}-4 Gamma") in found  # its own column, itself left out
    assert "Moving" not in select


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("", ["Alpha", "Beta", "Moving"]),
        ("0", ["Moving", "Alpha", "Beta"]),
        ("1", ["Alpha", "Moving", "Beta"]),
    ],
)
def test_the_chosen_place_is_where_the_task_lands(client, project, intern, position, expected):
    moving = make_task(project, intern, title="Moving")
    make_task(project, intern, title="Alpha", column_name="In progress")
    make_task(project, intern, title="Beta", column_name="In progress")
    client.force_login(intern)
    response = client.post(
        reverse("task_move", args=[moving.pk]),
        {
            "column": column(project, "In progress").pk,
            "position": position,
            "version": moving.version,
            "next": reverse("task_detail", args=[moving.pk]),
        },
    )
    assert response.status_code == 302
    assert titles(project, "In progress") == expected


def test_long_titles_are_shortened_and_columns_capped(client, project, intern):
    moving = make_task(project, intern, title="Moving")
    for number in range(20):
        make_task(project, intern, title=f"{'Long title ' * 6}{number}", column_name="Review")
    client.force_login(intern)
    select = position_select(
        client.get(reverse("task_detail", args=[moving.pk])).content.decode(), moving
    )
    review = select[select.index("In “Review”") :]
    assert len(options(review)) == 15
    assert all(len(label.split(" ", 2)[2]) <= 40 for _, label in options(review))


def test_read_only_viewers_get_no_move_form(client, project, intern):
    task = make_task(project, intern, title="Frozen")
    project.archived = True
    project.save(update_fields=["archived"])
    client.force_login(intern)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert 'id="move-to"' not in html
