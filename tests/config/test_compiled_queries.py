"""config.compiled_queries: a queryset shape compiled once, run with fresh values.

What it returns must be what the queryset returns (fields, select_related
objects, annotations), in one statement; a shape whose SQL text depends on a
value must be refused at its first use, never reused with the wrong text.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from config import compiled_queries
from config.compiled_queries import CompiledQuery
from tasks import ordering
from tasks.models import Comment, Task
from tests.tasks.factories import column, make_task

IDS = {"task_id": (-1, -2)}


def _tasks_with_people(*, task_id: int) -> models.QuerySet[Task]:
    return (
        Task.objects.select_related("project", "column", "assignee")
        .filter(pk=task_id)
        .annotate(comment_count=models.Count("comments"), column_name=models.F("column__name"))
    )


def _fields(task: Task) -> dict:
    return {
        "row": {f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields},
        "project": (task.project.pk, task.project.key, task.project.name),
        "column": (task.column.pk, task.column.name, task.column.category),
        "assignee": task.assignee and (task.assignee.pk, task.assignee.username),
        "annotations": (task.comment_count, task.column_name),
    }


def test_it_returns_what_the_queryset_returns_in_one_statement(
    project, intern, mentor, django_assert_num_queries
):
    query = CompiledQuery(_tasks_with_people, samples=IDS)
    first = make_task(project, intern, assignee=intern, title="First")
    second = make_task(project, intern, column_name="In progress", title="Second")
    Comment.objects.create(task=second, author=mentor, body="Looks good.")
    query.fetch(task_id=first.pk)  # compiled here
    for task in (first, second):
        expected = _tasks_with_people(task_id=task.pk).get()
        with django_assert_num_queries(1):
            [fetched] = query.fetch(task_id=task.pk)
            # the joined objects came with the row: reading them asks nothing more
            assert _fields(fetched) == _fields(expected)
        assert fetched._state.adding is False
        assert fetched._state.db == "default"
    assert query.fetch(task_id=second.pk + 1000) == []


def test_values_and_values_list_rows_are_the_querysets(project, intern, mentor):
    def build(*, project_id: int, as_dicts: bool) -> models.QuerySet[Task]:
        tasks = (
            Task.objects.filter(project_id=project_id)
            .annotate(comment_count=models.Count("comments"))
            .order_by("pk")
        )
        fields = ("pk", "title", "column__name", "comment_count", "created_at")
        return tasks.values(*fields) if as_dicts else tasks.values_list(*fields)

    query = CompiledQuery(build, samples={"project_id": (-1, -2)})
    task = make_task(project, intern, title="Один")
    make_task(project, intern, column_name="In progress", title="Two")
    Comment.objects.create(task=task, author=mentor, body="Looks good.")
    for as_dicts in (True, False):
        expected = list(build(project_id=project.pk, as_dicts=as_dicts))
        assert len(expected) == 2
        assert query.fetch(shape={"as_dicts": as_dicts}, project_id=project.pk) == expected


def test_a_value_shared_by_several_parameters_is_bound_to_each(project, intern):
    def build(*, task_id: int) -> models.QuerySet[Task]:
        others = Task.objects.filter(project=models.OuterRef("project")).exclude(pk=task_id)
        return Task.objects.filter(pk=task_id).annotate(
            others=models.Subquery(
                others.order_by().values("project").annotate(n=models.Count("pk")).values("n")
            )
        )

    query = CompiledQuery(build, samples=IDS)
    tasks = [make_task(project, intern) for _ in range(3)]
    for task in tasks:
        [fetched] = query.fetch(task_id=task.pk)
        assert (fetched.pk, fetched.others) == (task.pk, 2)


def test_what_changes_the_sql_text_belongs_to_the_shape(project, intern):
    todo = column(project, "To do")
    tasks = [make_task(project, intern) for _ in range(4)]

    def by_value(*, column_id: int, count: int) -> models.QuerySet[Task]:
        return Task.objects.filter(column_id=column_id).order_by("rank")[:count]

    refused = CompiledQuery(by_value, samples={"column_id": (-1, -2), "count": (3, 4)})
    with pytest.raises(ImproperlyConfigured, match="SQL text changes"):
        refused.fetch(column_id=todo.pk, count=2)

    def by_shape(*, column_id: int, count: int) -> models.QuerySet[Task]:
        return Task.objects.filter(column_id=column_id).order_by("rank")[:count]

    query = CompiledQuery(by_shape, samples={"column_id": (-1, -2)})
    for count in (1, 3, 1):
        fetched = query.fetch(shape={"count": count}, column_id=todo.pk)
        assert [task.pk for task in fetched] == [task.pk for task in tasks[:count]]


def test_a_parameter_that_changes_by_itself_is_refused(project, intern):
    def build(*, task_id: int) -> models.QuerySet[Task]:
        return Task.objects.filter(pk=task_id, created_at__lte=timezone.now())

    with pytest.raises(ImproperlyConfigured, match="changes by itself"):
        CompiledQuery(build, samples=IDS).fetch(task_id=make_task(project, intern).pk)


def test_values_are_checked(project, intern):
    query = CompiledQuery(_tasks_with_people, samples=IDS)
    with pytest.raises(TypeError, match="task_id"):
        query.fetch(pk=1)
    with pytest.raises(TypeError, match="None"):
        query.fetch(task_id=None)
    with pytest.raises(ImproperlyConfigured, match="different samples"):
        CompiledQuery(_tasks_with_people, samples={"task_id": (1, 1)})
    with pytest.raises(ImproperlyConfigured, match="model instances"):
        CompiledQuery(
            lambda *, task_id: Task.objects.filter(pk=task_id).values_list("pk", flat=True),
            samples=IDS,
        ).fetch(task_id=1)


def test_an_empty_shape_runs_no_statement(project, intern, django_assert_num_queries):
    def build(*, task_id: int, nothing: bool) -> models.QuerySet[Task]:
        tasks = Task.objects.filter(pk=task_id)
        return tasks.none() if nothing else tasks

    query = CompiledQuery(build, samples=IDS)
    task = make_task(project, intern)
    with django_assert_num_queries(0):
        assert query.fetch(shape={"nothing": True}, task_id=task.pk) == []
    assert [t.pk for t in query.fetch(shape={"nothing": False}, task_id=task.pk)] == [task.pk]


def test_shapes_are_kept_up_to_a_bound(monkeypatch, project, intern, django_assert_num_queries):
    monkeypatch.setattr(compiled_queries, "MAX_SHAPES", 2)
    built = []

    def build(*, column_id: int, count: int) -> models.QuerySet[Task]:
        built.append(count)
        return Task.objects.filter(column_id=column_id).order_by("rank")[:count]

    query = CompiledQuery(build, samples={"column_id": (-1, -2)})
    todo = column(project, "To do").pk
    for count in (1, 2, 1, 3, 1, 2):
        query.fetch(shape={"count": count}, column_id=todo)
    # each shape is built twice when compiled (two samples); 2 fell out when 3 came
    assert built == [1, 1, 2, 2, 3, 3, 2, 2]


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_as_the_orm_says(project, intern):
    task = make_task(project, intern)

    def build(*, task_id: int) -> models.QuerySet[Task]:
        return Task.objects.select_for_update().filter(pk=task_id)

    query = CompiledQuery(build, samples=IDS)
    with transaction.atomic():
        assert [t.pk for t in query.fetch(task_id=task.pk)] == [task.pk]
    with pytest.raises(TransactionManagementError):
        query.fetch(task_id=task.pk)


def test_a_date_is_bound_where_the_backend_keeps_it_a_date(project, intern):
    def build(*, task_id: int, due: datetime.date) -> models.QuerySet[Task]:
        return Task.objects.filter(pk=task_id, due_on__lte=due)

    query = CompiledQuery(
        build, samples={**IDS, "due": (datetime.date(1901, 1, 2), datetime.date(1902, 3, 4))}
    )
    task = make_task(project, intern, due_on=datetime.date(2030, 5, 1))
    assert query.fetch(task_id=task.pk, due=datetime.date(2030, 4, 30)) == []
    assert [t.pk for t in query.fetch(task_id=task.pk, due=datetime.date(2030, 5, 1))] == [task.pk]
    # PostgreSQL takes the date as it is; SQLite as text, so there it is never compiled
    assert query.compiles(shape={}) is (connection.vendor == "postgresql")


def test_neighbour_rank_names_are_what_neighbour_ranks_annotates():
    for position in (None, 0, 1, 7):
        annotated = ordering.neighbour_ranks(1, position, exclude_task_id=2)
        assert tuple(annotated) == ordering.neighbour_rank_names(position)
