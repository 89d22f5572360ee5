"""Property: any sequence of creates, moves and archives keeps every column a total order.

The model of the board is a plain list per column; the database must agree
with it after every step: same tasks, same order, unique ranks.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from projects.models import Column
from tasks import services
from tasks.models import Task
from tasks.services import RANK_STEP
from tests.projects.factories import ProjectFactory
from tests.teams.factories import MembershipFactory

COLUMNS = ("To do", "In progress", "Review")

operation = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(COLUMNS), st.none(), st.none()),
    st.tuples(
        st.just("move"),
        st.sampled_from(COLUMNS),
        st.integers(min_value=0, max_value=30),  # which task (modulo live count)
        st.integers(min_value=-1, max_value=30),  # target position (may overshoot)
    ),
    # Many inserts at the same spot exhaust the gap and force a rebalance.
    st.tuples(st.just("move_front"), st.sampled_from(COLUMNS), st.integers(0, 30), st.none()),
    st.tuples(st.just("archive"), st.none(), st.integers(0, 30), st.none()),
)


class OrderingProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, min_size=1, max_size=40))
    def test_columns_stay_total_orders_with_unique_ranks(self, operations):
        membership = MembershipFactory(role="mentor")
        mentor = membership.user
        project = ProjectFactory(team=membership.team)
        columns = {c.name: c for c in Column.objects.filter(project=project, name__in=COLUMNS)}
        board: dict[str, list[int]] = {name: [] for name in COLUMNS}

        for kind, column_name, which, position in operations:
            live = [pk for name in COLUMNS for pk in board[name]]
            if kind == "create":
                task = services.task_create(
                    project=project, by=mentor, title="t", column=columns[column_name]
                )
                board[column_name].append(task.pk)
            elif kind in {"move", "move_front"} and live:
                pk = live[which % len(live)]
                target = 0 if kind == "move_front" else position
                task = Task.objects.get(pk=pk)
                services.task_move(
                    task=task,
                    by=mentor,
                    column=columns[column_name],
                    position=target,
                    version=task.version,
                )
                for ids in board.values():
                    if pk in ids:
                        ids.remove(pk)
                clamped = max(0, min(target, len(board[column_name])))
                board[column_name].insert(clamped, pk)
            elif kind == "archive" and live:
                pk = live[which % len(live)]
                services.task_set_archived(task=Task.objects.get(pk=pk), by=mentor, archived=True)
                for ids in board.values():
                    if pk in ids:
                        ids.remove(pk)

            for name, expected in board.items():
                rows = list(
                    Task.objects.live()
                    .filter(column=columns[name])
                    .order_by("rank")
                    .values_list("pk", "rank")
                )
                assert [pk for pk, _ in rows] == expected
                ranks = [rank for _, rank in rows]
                assert len(set(ranks)) == len(ranks)
                assert all(rank > 0 for rank in ranks)


@pytest.mark.django_db
def test_repeated_inserts_at_the_front_rebalance_and_keep_order(project, mentor):
    todo = Column.objects.get(project=project, name="To do")
    first = services.task_create(project=project, by=mentor, title="0", column=todo)
    assert first.rank == RANK_STEP
    for n in range(1, 25):  # more halvings of the gap than RANK_STEP allows
        task = services.task_create(project=project, by=mentor, title=str(n), column=todo)
        services.task_move(task=task, by=mentor, column=todo, position=0, version=task.version)
    rows = list(Task.objects.filter(column=todo).order_by("rank").values_list("title", "rank"))
    assert [title for title, _ in rows] == [str(n) for n in reversed(range(25))]
    assert len({rank for _, rank in rows}) == 25
    # Only a rebalance moves the first task off the rank it was created with.
    first.refresh_from_db()
    assert first.rank != RANK_STEP
