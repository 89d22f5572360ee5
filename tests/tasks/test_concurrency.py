"""Concurrent moves on PostgreSQL: no lost or duplicated tasks, unique ranks, one winner."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection

from config.errors import DomainError
from projects.models import Column
from tasks import services
from tasks.models import Task
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
        assert all(rank > 0 for rank in ranks)


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
