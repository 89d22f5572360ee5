"""Property: any sequence of creates, moves and archives keeps every column a total order.

The model of the board is a plain list per column; the database must agree
with it after every step: same tasks, same order, unique ranks inside the
range ``tasks.ordering`` allows. Then the cost of moves in a long column,
counted in rows written (not in time).
"""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from projects.models import Column
from tasks import ordering, services
from tasks.models import Task
from tasks.ordering import RANK_STEP
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
        self.check(operations)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, min_size=1, max_size=40))
    def test_a_cramped_range_of_ranks_still_keeps_total_orders(self, operations):
        # Room for 80 ranks and gaps of 4: nearly every move has to make room,
        # at the ends of the range, in windows and over whole columns.
        cramped = {"RANK_STEP": 4, "MIN_GAP": 1, "MIN_RANK": -40, "MAX_RANK": 39}
        with mock.patch.multiple(ordering, **cramped):
            self.check(operations)

    def check(self, operations):
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
                assert all(ordering.MIN_RANK <= rank <= ordering.MAX_RANK for rank in ranks)


@pytest.mark.django_db
def test_repeated_inserts_at_one_spot_make_room_and_keep_order(project, mentor):
    todo = Column.objects.get(project=project, name="To do")
    first = services.task_create(project=project, by=mentor, title="0", column=todo)
    last = services.task_create(project=project, by=mentor, title="last", column=todo)
    assert (first.rank, last.rank) == (RANK_STEP, 2 * RANK_STEP)
    for n in range(1, 41):  # more halvings of the gap than RANK_STEP allows
        task = services.task_create(project=project, by=mentor, title=str(n), column=todo)
        services.task_move(task=task, by=mentor, column=todo, position=1, version=task.version)
    rows = list(Task.objects.filter(column=todo).order_by("rank").values_list("title", "rank"))
    assert [title for title, _ in rows] == ["0", *(str(n) for n in reversed(range(1, 41))), "last"]
    assert len({rank for _, rank in rows}) == 42


@pytest.mark.django_db
def test_cards_sent_to_the_top_again_and_again_go_below_zero(project, mentor):
    todo = Column.objects.get(project=project, name="To do")
    tasks = [
        services.task_create(project=project, by=mentor, title=str(n), column=todo)
        for n in range(3)
    ]
    for _ in range(42):  # far more than fit between 0 and the first rank by halving
        task = Task.objects.filter(column=todo).order_by("rank").last()
        services.task_move(task=task, by=mentor, column=todo, position=0, version=task.version)
    rows = list(Task.objects.filter(column=todo).order_by("rank").values_list("pk", "rank"))
    assert [pk for pk, _ in rows] == [task.pk for task in tasks]  # 14 full turns
    assert rows[0][1] < 0


# --- Cost of moves in a long column -------------------------------------------------------

LEGACY_STEP = 1 << 16  # how ranks were spaced before: existing boards look like this


def fill(project, mentor, column: Column, count: int, *, first_number: int) -> list[int]:
    """``count`` tasks at the end of ``column``, spaced as older boards are (fast: one INSERT)."""
    Task.objects.bulk_create(
        Task(
            project=project,
            number=first_number + n,
            title=f"{column.name} {n}",
            column=column,
            rank=(n + 1) * LEGACY_STEP,
            reporter=mentor,
        )
        for n in range(count)
    )
    return list(Task.objects.filter(column=column).order_by("rank").values_list("pk", flat=True))


def move_counting_rows(task_id: int, *, by, column: Column, position: int) -> int:
    """Move a task; how many task rows changed column or rank (the moved one included)."""

    def snapshot() -> dict[int, tuple[int, int]]:
        rows = Task.objects.filter(project_id=column.project_id).values_list(
            "pk", "column_id", "rank"
        )
        return {pk: (column_id, rank) for pk, column_id, rank in rows}

    before = snapshot()
    task = Task.objects.select_related("project").get(pk=task_id)
    services.task_move(task=task, by=by, column=column, position=position, version=task.version)
    after = snapshot()
    return sum(1 for pk, place in after.items() if before[pk] != place)


def assert_order(column: Column, expected: list[int]) -> None:
    rows = list(
        Task.objects.live().filter(column=column).order_by("rank").values_list("pk", "rank")
    )
    assert [pk for pk, _ in rows] == expected
    assert len({rank for _, rank in rows}) == len(rows)


@pytest.mark.django_db
def test_sending_cards_to_the_top_of_a_1000_card_column_writes_one_row_each(project, mentor):
    todo = Column.objects.get(project=project, name="To do")
    order = fill(project, mentor, todo, 1000, first_number=1)
    for _ in range(100):  # the old ranks renumbered all 1,000 rows every 16 moves
        pk = order.pop()
        assert move_counting_rows(pk, by=mentor, column=todo, position=0) == 1
        order.insert(0, pk)
    assert_order(todo, order)


@pytest.mark.django_db
@pytest.mark.parametrize("position", [1, 500, 998])
def test_a_crowded_spot_in_a_1000_card_column_rewrites_only_a_few_rows(project, mentor, position):
    todo = Column.objects.get(project=project, name="To do")
    doing = Column.objects.get(project=project, name="In progress")
    order = fill(project, mentor, todo, 1000, first_number=1)
    incoming = fill(project, mentor, doing, 150, first_number=1001)
    written = []
    for pk in incoming:  # every card into the same spot: its gap runs out again and again
        written.append(move_counting_rows(pk, by=mentor, column=todo, position=position))
        order.insert(position, pk)
    assert_order(todo, order)
    # The old ranks renumbered the whole column (1,000 rows and more) every 16 moves.
    assert max(written) <= 17
    assert sum(written) <= 3 * len(incoming)


@pytest.mark.django_db
def test_a_column_without_room_anywhere_is_spread_whole_in_order(project, mentor):
    # Ranks 1, 2, 3, …: no gap at all, so the window grows to the whole column
    # (and the moving card, from the same column, must get out of the way).
    todo = Column.objects.get(project=project, name="To do")
    Task.objects.bulk_create(
        Task(project=project, number=n + 1, title=str(n), column=todo, rank=n + 1, reporter=mentor)
        for n in range(1200)
    )
    order = list(Task.objects.filter(column=todo).order_by("rank").values_list("pk", flat=True))
    pk = order.pop(10)
    assert move_counting_rows(pk, by=mentor, column=todo, position=600) == 1200
    order.insert(600, pk)
    assert_order(todo, order)
    # Spread with full gaps: the next moves into the same spot write one row.
    pk = order.pop(0)
    assert move_counting_rows(pk, by=mentor, column=todo, position=600) == 1
    order.insert(600, pk)
    assert_order(todo, order)


# --- The arithmetic, at its edges -----------------------------------------------------------


def test_between_takes_the_midpoint_or_a_step_past_an_end():
    assert ordering.between(None, None) == RANK_STEP
    assert ordering.between(10, None) == 10 + RANK_STEP
    assert ordering.between(None, 10) == 10 - RANK_STEP
    assert ordering.between(-7, -3) == -5
    assert ordering.between(4, 5) is None


def test_between_never_leaves_the_range_of_ranks():
    assert ordering.between(ordering.MAX_RANK - RANK_STEP + 1, None) is None
    assert ordering.between(None, ordering.MIN_RANK + RANK_STEP - 1) is None


def test_spread_between_two_cards_needs_wider_gaps_for_larger_windows():
    # 3 ranks between 0 and 40: gaps of 10, enough at level 1 (8), not at level 2 (16).
    assert ordering.spread(before=0, after=40, count=3, level=1) == (10, 10)
    assert ordering.spread(before=0, after=40, count=3, level=2) is None


def test_spread_at_an_end_of_the_column_always_fits():
    assert ordering.spread(before=5, after=None, count=3, level=9) == (5 + RANK_STEP, RANK_STEP)
    assert ordering.spread(before=None, after=5, count=3, level=9) == (5 - 3 * RANK_STEP, RANK_STEP)
    # Next to the end of the range of ranks, an end is a bound like a card.
    top = ordering.MAX_RANK - 100
    assert ordering.spread(before=top, after=None, count=3, level=1) == (top + 25, 25)
    assert ordering.spread(before=top, after=None, count=3, level=5) is None


def test_spread_over_a_whole_column_fits_even_a_cramped_range():
    assert ordering.spread(before=None, after=None, count=3, level=9) == (RANK_STEP, RANK_STEP)
    with mock.patch.multiple(ordering, RANK_STEP=4, MIN_RANK=-10, MAX_RANK=9):
        first, step = ordering.spread(before=None, after=None, count=9, level=9)
        assert (first, step) == (-9, 1)
        assert first + step * 8 <= ordering.MAX_RANK
