"""A filtered board still counts the whole column against its WIP limit (issue 11, item 8).

The filter narrows the cards shown; the count, the limit and the "over the limit" flag
speak of the column, and the filtered count is shown beside them ("2 of 5 shown").
"""

from __future__ import annotations

import re

import pytest

from projects.models import Column
from tasks.models import Priority
from tasks.selectors import BoardFilters, board
from tests.tasks.factories import column, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(project, intern):
    """The "In progress" column: a limit of 3 and five tasks, two of them urgent."""
    for number in range(5):
        make_task(
            project,
            intern,
            title=f"Work {number}",
            column_name="In progress",
            priority=Priority.URGENT if number < 2 else Priority.LOW,
        )
    # Set after the fact: a limit lowered below the column's count (or tasks restored).
    Column.objects.filter(project=project, name="In progress").update(wip_limit=3)
    return column(project, "In progress")


def header_of(html: str, column_pk: int) -> str:
    match = re.search(
        rf'<header class="board-column-header[^"]*" id="column-{column_pk}-header".*?</header>',
        html,
        re.S,
    )
    assert match, html
    return match.group(0)


def test_selector_counts_the_whole_column_beside_the_filtered_cards(project, intern, crowded):
    filtered = board(project=project, user=intern, filters=BoardFilters(priority=Priority.URGENT))
    in_progress = next(bc for bc in filtered if bc.column.pk == crowded.pk)
    assert in_progress.total == 2  # the cards the filter shows
    assert in_progress.whole_count == 5
    assert in_progress.filtered
    assert in_progress.over_limit

    unfiltered = board(project=project, user=intern, filters=BoardFilters())
    in_progress = next(bc for bc in unfiltered if bc.column.pk == crowded.pk)
    assert (in_progress.total, in_progress.whole_count, in_progress.filtered) == (5, 5, False)
    assert in_progress.over_limit


def test_filtered_board_flags_the_column_over_its_limit(client, project, intern, crowded):
    client.force_login(intern)
    html = client.get(f"/projects/{project.pk}/board/?priority=urgent").content.decode()
    header = header_of(html, crowded.pk)
    assert "wip-over" in header
    assert re.search(r">\s*5 / 3\s*<", header), header
    assert "2 of 5 shown" in header


def test_unfiltered_board_shows_no_filtered_count(client, project, intern, crowded):
    client.force_login(intern)
    header = header_of(client.get(f"/projects/{project.pk}/board/").content.decode(), crowded.pk)
    assert re.search(r">\s*5 / 3\s*<", header), header
    assert "shown" not in header


def test_column_under_its_limit_is_not_flagged_by_a_filter(client, project, intern):
    todo = column(project, "To do")
    make_task(project, intern, title="Alpha")
    make_task(project, intern, title="Beta")
    Column.objects.filter(pk=todo.pk).update(wip_limit=4)
    client.force_login(intern)
    header = header_of(
        client.get(f"/projects/{project.pk}/board/?q=alpha").content.decode(), todo.pk
    )
    assert "wip-over" not in header
    assert re.search(r">\s*2 / 4\s*<", header), header
    assert "1 of 2 shown" in header


def test_move_answer_counts_the_whole_columns_under_a_filter(client, project, intern, crowded):
    """The counts a move sends back (out of band) follow the same rule as the board."""
    todo = column(project, "To do")
    task = make_task(project, intern, title="Urgent todo", priority=Priority.URGENT)
    make_task(project, intern, title="Calm todo", priority=Priority.LOW)
    Column.objects.filter(pk=crowded.pk).update(wip_limit=None)
    client.force_login(intern)
    response = client.post(
        f"/tasks/{task.pk}/move/?priority=urgent",
        {"column": crowded.pk, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 of 6 shown" in header_of(html, crowded.pk)
    assert "0 of 1 shown" in header_of(html, todo.pk)
