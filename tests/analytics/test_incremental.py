"""The incremental path: events feed the read models, and they equal a full rebuild."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import services
from analytics.models import InternWeek, ProjectDay, RecomputeKey, TaskMetrics
from integrations.models import Event, EventReceipt
from tasks.models import Task
from tests.analytics.conftest import History, at

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list]:
    """Every read-model row, without the time it was computed."""

    def rows(model, order):
        return [
            {k: v for k, v in row.items() if k not in {"computed_at", "id"}}
            for row in model.objects.order_by(*order).values()
        ]

    return {
        "tasks": rows(TaskMetrics, ["task_id"]),
        "weeks": rows(InternWeek, ["intern_id", "week"]),
        "days": rows(ProjectDay, ["project_id", "day"]),
    }


def test_each_event_updates_the_read_models_after_commit(
    history, intern, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = history.create(at("2026-03-02", "10:00"), estimate=3)
    assert TaskMetrics.objects.get(task=task).completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        history.move(task, "Done", at("2026-03-03", "10:00"))
    week = InternWeek.objects.get(intern=intern, week=datetime.date(2026, 3, 2))
    assert (week.completed, week.points) == (1, 3)
    assert not RecomputeKey.objects.exists()
    assert EventReceipt.objects.filter(consumer="analytics").count() == Event.objects.count()


def test_a_redelivered_event_changes_nothing(history, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = history.create(at("2026-03-02", "10:00"))
    event = Event.objects.get(type="task.created")
    assert services.event_consume(event_id=str(event.pk)) is False  # receipt already there
    assert not RecomputeKey.objects.exists()
    assert EventReceipt.objects.filter(event=event, consumer="analytics").count() == 1
    assert TaskMetrics.objects.filter(task=task).count() == 1


def test_a_burst_of_moves_is_one_recompute_per_task(history):
    # Without on-commit execution the events wait: consume them all, then recompute once.
    task = history.create(at("2026-03-02", "10:00"))
    for number in range(25):
        history.move(task, "In progress", at("2026-03-02", f"11:{number:02d}"))
        history.move(task, "To do", at("2026-03-02", f"12:{number:02d}"))
    for event in Event.objects.order_by("created_at"):
        services.event_consume(event_id=str(event.pk))
    assert RecomputeKey.objects.count() == 1
    assert services.recompute_pending() == 1
    assert services.recompute_pending() == 0


def test_rebuild_twice_leaves_the_same_rows(history):
    task = history.create(at("2026-03-02", "10:00"), estimate=2)
    history.move(task, "Done", at("2026-03-03", "10:00"))
    services.rebuild()
    first = snapshot()
    services.rebuild()
    assert snapshot() == first
    services.rebuild(since=datetime.date(2026, 3, 3))
    assert snapshot() == first
    services.rebuild(since=datetime.date(2026, 1, 1))  # before the project's first day
    assert snapshot() == first


def test_the_sweep_feeds_events_whose_message_was_lost(history, time_machine):
    from integrations.services import outbox_sweep

    task = history.create(at("2026-03-02", "10:00"))  # on_commit never ran: message lost
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=5))
    missed = outbox_sweep().consumer_event_ids["analytics"]
    assert [str(pk) for pk in missed] == [str(Event.objects.get().pk)]
    services.event_consume(event_id=str(missed[0]))
    services.recompute_pending()
    assert TaskMetrics.objects.filter(task=task).exists()
    assert outbox_sweep().consumer_event_ids["analytics"] == []


COLUMNS = ["Backlog", "To do", "In progress", "Review", "Done"]
step = st.tuples(
    st.sampled_from(["create", "move", "approve", "changes", "archive", "restore", "assign"]),
    st.integers(min_value=0, max_value=3),  # which task
    st.sampled_from(COLUMNS),
    st.integers(min_value=1, max_value=40),  # hours since the previous step
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_incremental_read_models_equal_a_full_rebuild(
    steps, project, intern, mentor, team, django_capture_on_commit_callbacks
):
    from teams.models import Role
    from tests.teams.factories import MembershipFactory

    Task.objects.filter(project=project).delete()
    for model in (TaskMetrics, InternWeek, ProjectDay, RecomputeKey):
        model.objects.all().delete()
    second = MembershipFactory(team=team, role=Role.INTERN).user
    history = History(project, intern, mentor)
    when = at("2026-03-06", "20:00")  # a Friday: the steps cross week boundaries
    tasks: list[Task] = []
    for action, index, column, hours in steps:
        when += datetime.timedelta(hours=hours)
        with django_capture_on_commit_callbacks(execute=True):
            if action == "create" or not tasks:
                tasks.append(history.create(when, column=column if column != "Done" else "To do"))
                continue
            task = tasks[index % len(tasks)]
            task.refresh_from_db()
            category = task.column.category
            if action == "move" and not task.archived:
                history.move(task, column, when)
            elif action in {"approve", "changes"} and category == "review" and not task.archived:
                if action == "approve":
                    history.approve(task, when, score=1 + hours % 5)
                else:
                    history.request_changes(task, when)
            elif action in {"archive", "restore"}:
                history.archive(task, when, archived=action == "archive")
            elif action == "assign":
                history.assign(task, second if task.assignee_id == intern.pk else intern)
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental
