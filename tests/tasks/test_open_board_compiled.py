"""The board as it opens (every column, no filter) reads its columns and first cards from
SQL compiled once (tasks.selectors._OPEN_BOARD_*); every other board builds the same
queries per request. Both ways must give the same board, and the members list the same
people as the queryset they come from."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection

from tasks import selectors
from tasks.models import Task
from tasks.selectors import BoardFilters
from tasks.services import checklist_add, comment_create, label_create, task_set_labels
from teams.models import Membership
from teams.selectors import team_member_list, team_members
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import make_task
from tests.teams.factories import MembershipFactory


def _board(project, user, *, per_column: int, compiled: bool):
    if compiled:
        columns = selectors.board(
            project=project, user=user, filters=BoardFilters(), per_column=per_column
        )
    else:  # the per-request path, with every column named
        ids = [column.pk for column in project.columns.all()]
        columns = selectors.board(
            project=project,
            user=user,
            filters=BoardFilters(),
            column_ids=ids,
            per_column=per_column,
        )
    return [
        (
            column.column.pk,
            column.column.name,
            column.total,
            column.has_more,
            [dataclasses.asdict(card) for card in column.cards],
        )
        for column in columns
    ]


@pytest.mark.parametrize("per_column", [2, 50])
def test_the_open_board_is_the_board_built_per_request(project, intern, mentor, per_column):
    bug = label_create(project=project, by=mentor, name="bug", color="red")
    for n in range(7):
        task = make_task(
            project,
            mentor,
            title=f"Card {n}",
            column_name=["To do", "In progress", "Done"][n % 3],
            assignee=[intern, None][n % 2],
        )
        if n % 2:
            task_set_labels(task=task, by=intern, labels=[bug])
            comment_create(task=task, by=mentor, body="Looks good.")
            checklist_add(task=task, by=intern, text="Test it")
    make_task(ProjectFactory(team=project.team), intern, title="Another board's card")

    compiled = _board(project, intern, per_column=per_column, compiled=True)
    assert compiled == _board(project, intern, per_column=per_column, compiled=False)
    assert sum(len(cards) for *_rest, cards in compiled) == min(7, 3 * per_column)
    assert sum(total for _pk, _name, total, _more, _cards in compiled) == 7


def test_the_open_board_is_compiled_on_postgresql(project, intern, postgres_only):
    make_task(project, intern)
    selectors.board(project=project, user=intern, filters=BoardFilters())
    assert selectors._OPEN_BOARD_HEADERS.compiles()
    assert selectors._OPEN_BOARD_PAGE.compiles()


def test_the_member_list_is_the_members_queryset(team, project, mentor, intern, outsider):
    MembershipFactory(
        team=team,
        user__username="left",
        left_on=Membership.objects.get(user=intern, team=team).joined_on,
    )
    listed = team_member_list(team)
    assert listed == list(team_members(team))
    assert [member.user.username for member in listed][:1] == [mentor.username]
    assert {member.user_id for member in listed} == {mentor.pk, intern.pk}
    # the user came with the membership
    assert all(member.user.pk == member.user_id for member in listed)
    if connection.vendor == "postgresql":
        from teams import selectors as team_selectors

        assert team_selectors._TEAM_MEMBERS.compiles()


def test_a_task_in_a_column_of_another_project_is_not_shown_nor_an_error(project, mentor):
    """The first pages are read by project; the columns are the project's own. A task
    whose column belongs elsewhere (no service writes one) must not break the board."""
    shown = make_task(project, mentor, title="Shown")
    stray = make_task(project, mentor, title="Stray")
    elsewhere = ProjectFactory(team=project.team).columns.first()
    Task.objects.filter(pk=stray.pk).update(column=elsewhere)
    columns = selectors.board(project=project, user=mentor, filters=BoardFilters())
    cards = [card.pk for column in columns for card in column.cards]
    assert cards == [shown.pk]
