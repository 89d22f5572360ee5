"""Celery: the consumer is queued on commit with ids only, and is safe to run twice."""

from __future__ import annotations

import json

import pytest

from analytics import tasks as analytics_tasks
from analytics.models import RecomputeKey, TaskMetrics
from integrations.consumers import registered
from integrations.models import Event, EventReceipt
from tests.analytics.conftest import at
from tests.analytics.test_incremental import snapshot

pytestmark = pytest.mark.django_db


def test_analytics_registers_itself_as_a_consumer_of_the_log():
    consumers = {consumer.name: consumer.task for consumer in registered()}
    assert consumers["analytics"] is analytics_tasks.analytics_event_task
    # Each consumer once (ready() may run again in tests), under its own name.
    assert len(registered()) == len(consumers)


def test_the_consumer_is_queued_after_commit_with_the_event_id_only(
    history, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        analytics_tasks.analytics_event_task, "delay", lambda **kwargs: queued.append(kwargs)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        history.create(at("2026-03-02", "10:00"))
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    event = Event.objects.get()
    assert queued == [{"event_id": str(event.pk)}]
    json.dumps(queued)  # JSON: ids, never model instances


def test_running_the_consumer_twice_changes_nothing(history):
    task = history.create(at("2026-03-02", "10:00"), estimate=2)
    history.move(task, "Done", at("2026-03-03", "10:00"))
    events = list(Event.objects.order_by("created_at"))
    for event in events:
        analytics_tasks.analytics_event_task.delay(event_id=str(event.pk))
    first = snapshot()
    for event in events:
        analytics_tasks.analytics_event_task.delay(event_id=str(event.pk))
    analytics_tasks.analytics_recompute_task.delay()
    assert snapshot() == first
    assert EventReceipt.objects.filter(consumer="analytics").count() == len(events)
    assert TaskMetrics.objects.get(task=task).completed_on is not None
    assert not RecomputeKey.objects.exists()


def test_in_process_a_history_written_in_one_transaction_ends_fully_computed(
    history, django_capture_on_commit_callbacks
):
    from analytics import services

    with django_capture_on_commit_callbacks(execute=True):
        first = history.create(at("2026-03-02", "10:00"))
        history.move(first, "In progress", at("2026-03-02", "11:00"))
        second = history.create(at("2026-03-02", "10:00"))
        history.move(second, "Done", at("2026-03-04", "11:00"))
        history.move(first, "Done", at("2026-03-05", "11:00"))
        # The task's last event changes no metric: its earlier ones must still count.
        from tasks.services import comment_create

        comment_create(task=first, by=history.intern, body="done")
    assert not RecomputeKey.objects.exists()
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental


def test_the_rebuild_task_rebuilds_all_or_one_team(history, team, other_team):
    from tests.projects.factories import ProjectFactory
    from tests.tasks.factories import TaskFactory

    task = history.create(at("2026-03-02", "10:00"))
    elsewhere = TaskFactory(project=ProjectFactory(team=other_team, key="DAT"))
    analytics_tasks.analytics_rebuild_task.delay(team_id=team.pk)
    assert TaskMetrics.objects.filter(task=task).exists()
    assert not TaskMetrics.objects.filter(task=elsewhere).exists()
    analytics_tasks.analytics_rebuild_task.delay()
    assert TaskMetrics.objects.filter(task=elsewhere).exists()


def test_beat_schedules_the_recompute_and_the_nightly_rebuild(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "analytics.tasks.analytics_recompute_task" in tasks
    assert "analytics.tasks.analytics_rebuild_task" in tasks


@pytest.mark.parametrize("data", [{}, {"task": 1}, {"task": {"id": "7"}}, []])
def test_an_event_without_a_task_is_received_and_ignored(project, data):
    from analytics import services

    event = Event.objects.create(project=project, type="task.moved", data=data)
    assert services.event_consume(event_id=str(event.pk)) is False
    assert EventReceipt.objects.filter(event=event, consumer="analytics").exists()
    assert not RecomputeKey.objects.exists()
