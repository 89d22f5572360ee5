"""Concurrent moves and reviews on PostgreSQL: nothing lost or doubled, unique ranks, one winner."""

from __future__ import annotations

import logging
import random
import threading
import time

import pytest
from django.db import connection, transaction

from config.errors import DomainError
from integrations.models import Event, EventType
from projects.models import Column
from tasks import services
from tasks.models import Activity, ActivityKind, Review, Task
from tests.projects.factories import ProjectFactory
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_threads(count: int, target) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def runner(n: int) -> None:
        try:
            barrier.wait()
            target(n)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_many_threads_moving_tasks_in_one_column_keep_every_task_once(postgres_only):
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    todo = Column.objects.get(project=project, name="To do")
    doing = Column.objects.get(project=project, name="In progress")
    tasks = [
        services.task_create(project=project, by=mentor, title=str(n), column=todo)
        for n in range(24)
    ]

    def worker(n: int) -> None:
        rng = random.Random(n)  # noqa: S311 - test data, not security
        for _ in range(12):
            pk = rng.choice(tasks).pk
            for _attempt in range(20):  # retry conflicts: someone moved it meanwhile
                task = Task.objects.select_related("project").get(pk=pk)
                try:
                    services.task_move(
                        task=task,
                        by=mentor,
                        column=rng.choice([todo, doing]),
                        position=rng.randint(0, 3),  # crowd the same spots
                        version=task.version,
                    )
                    break
                except services.ConflictError:
                    continue

    errors = run_in_threads(6, worker)
    assert errors == []
    rows = list(Task.objects.filter(project=project).values_list("pk", "column_id", "rank"))
    assert sorted(pk for pk, _, _ in rows) == sorted(task.pk for task in tasks)
    for column in (todo, doing):
        ranks = [rank for _, column_id, rank in rows if column_id == column.pk]
        assert len(ranks) == len(set(ranks))


def test_two_clients_moving_the_same_task_with_the_same_version_one_wins(postgres_only):
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    columns = list(Column.objects.filter(project=project, name__in=["In progress", "Review"]))
    task = services.task_create(project=project, by=mentor, title="Contested")
    outcomes: list[str] = []

    def client(n: int) -> None:
        stale = Task.objects.select_related("project").get(pk=task.pk)
        try:
            services.task_move(task=stale, by=mentor, column=columns[n], position=0, version=1)
            outcomes.append("moved")
        except services.ConflictError:
            outcomes.append("conflict")

    assert run_in_threads(2, client) == []
    assert sorted(outcomes) == ["conflict", "moved"]
    assert Task.objects.get(pk=task.pk).version == 2


def test_concurrent_creates_into_a_wip_limited_column_never_exceed_it(postgres_only):
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    doing = Column.objects.get(project=project, name="In progress")
    Column.objects.filter(pk=doing.pk).update(wip_limit=3)
    doing.refresh_from_db()
    refused: list[int] = []

    def create(n: int) -> None:
        try:
            services.task_create(project=project, by=mentor, title=str(n), column=doing)
        except DomainError:
            refused.append(n)

    assert run_in_threads(8, create) == []
    assert Task.objects.filter(column=doing).count() == 3
    assert len(refused) == 5
    numbers = sorted(Task.objects.filter(project=project).values_list("number", flat=True))
    assert numbers == [1, 2, 3]


def fill(project, reporter, column: Column, count: int, *, first_number: int) -> list[int]:
    """``count`` tasks in ``column`` in one INSERT (a 1,000-card column in a blink).

    Their ranks are only 16 apart, so a spot runs out of room after a few
    moves into it, as it does after many on a real board.
    """
    Task.objects.bulk_create(
        Task(
            project=project,
            number=first_number + n,
            title=f"{column.name} {n}",
            column=column,
            rank=(n + 1) * 16,
            reporter=reporter,
        )
        for n in range(count)
    )
    return list(Task.objects.filter(column=column).values_list("pk", flat=True))


def test_opposite_moves_between_two_1000_card_columns_never_fail(postgres_only):
    # Two columns of 1,000 cards, clients dragging cards both ways, to the
    # top or all into one spot in the middle, where the moves run out of room
    # in the column they enter, the one the other direction leaves. The old
    # locks (the target column only) deadlocked here: no error is allowed.
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    todo = Column.objects.get(project=project, name="To do")
    doing = Column.objects.get(project=project, name="In progress")
    ids = {
        todo.pk: fill(project, mentor, todo, 1000, first_number=1),
        doing.pk: fill(project, mentor, doing, 1000, first_number=1001),
    }
    moves: list[int] = []

    def client(n: int) -> None:
        rng = random.Random(n)  # noqa: S311 - test data, not security
        source, target = (todo, doing) if n % 2 else (doing, todo)
        position = 500 if n in {2, 3} else 0  # the rest: to the top
        for _ in range(30):
            for _attempt in range(20):  # a conflict means another client moved it first
                task = Task.objects.select_related("project").get(pk=rng.choice(ids[source.pk]))
                if task.column_id != source.pk:
                    continue
                try:
                    services.task_move(
                        task=task,
                        by=mentor,
                        column=target,
                        position=position,
                        version=task.version,
                    )
                except services.ConflictError:
                    continue
                moves.append(task.pk)
                break

    assert run_in_threads(8, client) == []
    assert len(moves) == 8 * 30
    rows = list(Task.objects.filter(project=project).values_list("pk", "column_id", "rank"))
    assert sorted(pk for pk, _, _ in rows) == sorted(ids[todo.pk] + ids[doing.pk])
    for column in (todo, doing):
        ranks = [rank for _, column_id, rank in rows if column_id == column.pk]
        assert len(ranks) == len(set(ranks))
    assert Activity.objects.filter(kind=ActivityKind.MOVED).count() == len(moves)


def test_a_move_waits_for_the_column_it_leaves(postgres_only):
    # The lock order that makes opposite moves safe, shown directly: while
    # another mover holds the column a task is leaving, the move waits (the
    # old code locked only the target and went ahead).
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    todo = Column.objects.get(project=project, name="To do")
    doing = Column.objects.get(project=project, name="In progress")
    task = services.task_create(project=project, by=mentor, title="Leaving", column=todo)
    column_locked = threading.Event()
    seen: list[str] = []

    def holder() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM projects_column WHERE id = %s FOR NO KEY UPDATE", [todo.pk]
            )
            column_locked.set()
            while True:  # until the move waits for us, or finished without waiting
                cursor.execute(
                    "SELECT count(*) FROM pg_locks"
                    " WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                )
                if cursor.fetchone()[0]:
                    seen.append("move waited")
                    break
                if Task.objects.filter(pk=task.pk, column=doing).exists():
                    seen.append("move went ahead")
                    break
                time.sleep(0.01)

    def mover() -> None:
        column_locked.wait(10)
        services.task_move(task=task, by=mentor, column=doing, position=0, version=1)

    def both(n: int) -> None:
        (holder if n == 0 else mover)()

    assert run_in_threads(2, both) == []
    assert seen == ["move waited"]
    assert Task.objects.get(pk=task.pk).column_id == doing.pk


def test_a_move_that_loses_a_deadlock_is_retried_once(postgres_only, caplog):
    # Another transaction holds the task's row and then waits for the target
    # column the move holds: PostgreSQL aborts the move (the other side waits
    # longer before it checks), and the move is tried again once it is gone.
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    todo = Column.objects.get(project=project, name="To do")
    doing = Column.objects.get(project=project, name="In progress")
    task = services.task_create(project=project, by=mentor, title="Contested", column=todo)
    row_locked = threading.Event()
    results: list[str] = []

    def other(n: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '20s'")
            cursor.execute("SELECT 1 FROM tasks_task WHERE id = %s FOR UPDATE", [task.pk])
            row_locked.set()
            for _ in range(500):  # until the move waits for our row
                cursor.execute(  # pg_locks is live; pg_stat_activity is a snapshot here
                    "SELECT count(*) FROM pg_locks"
                    " WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.01)
            cursor.execute("SELECT 1 FROM projects_column WHERE id = %s FOR UPDATE", [doing.pk])
        results.append("other committed")

    def mover(n: int) -> None:
        row_locked.wait(10)
        stale = Task.objects.select_related("project").get(pk=task.pk)
        services.task_move(task=stale, by=mentor, column=doing, position=0, version=1)
        results.append("moved")

    def both(n: int) -> None:
        (other if n == 0 else mover)(n)

    with caplog.at_level(logging.WARNING, logger="tasks.services"):
        assert run_in_threads(2, both) == []
    assert sorted(results) == ["moved", "other committed"]
    assert "DeadlockDetected" in caplog.text
    moved = Task.objects.get(pk=task.pk)
    assert (moved.column_id, moved.version) == (doing.pk, 2)
    assert Activity.objects.filter(task=task, kind=ActivityKind.MOVED).count() == 1


def test_a_double_click_on_approve_records_one_review(postgres_only):
    mentor = MembershipFactory(role="mentor").user
    project = ProjectFactory(team=mentor.memberships.get().team)
    review = Column.objects.get(project=project, category="review")
    tasks = [
        services.task_create(project=project, by=mentor, title=str(n), column=review)
        for n in range(5)
    ]
    refused: list[str] = []

    for task in tasks:  # a few rounds: each is a race the unlocked check lost at once

        def click(n: int, task=task) -> None:
            stale = Task.objects.select_related("project").get(pk=task.pk)
            try:
                services.review_submit(task=stale, by=mentor, decision="approve", score=5)
            except DomainError as error:
                refused.append(error.code)

        assert run_in_threads(2, click) == []

    assert refused == ["not_in_review"] * len(tasks)
    for task in tasks:
        assert Review.objects.filter(task=task).count() == 1
        assert Activity.objects.filter(task=task, kind=ActivityKind.MOVED).count() == 1
        assert Activity.objects.filter(task=task, kind=ActivityKind.REVIEWED).count() == 1
        events = Event.objects.filter(type=EventType.REVIEW_SUBMITTED, data__task__id=task.pk)
        assert events.count() == 1
        assert Task.objects.get(pk=task.pk).column.category == "done"
