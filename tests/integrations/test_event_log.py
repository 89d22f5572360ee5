"""The event log read by several consumers, each with its own progress."""

from __future__ import annotations

import datetime

import pytest
from celery import shared_task
from django.utils import timezone

from integrations import consumers
from integrations.models import ConsumerCursor, Event, EventReceipt
from integrations.services import (
    CURSOR_SAFETY,
    SWEEP_GRACE,
    consumer_missed_events,
    event_receive,
    event_record,
    outbox_sweep,
)

pytestmark = pytest.mark.django_db

RECEIVED: list[str] = []


@shared_task
def _probe_consumer_task(*, event_id: str) -> None:
    RECEIVED.append(event_id)


@pytest.fixture
def probe(monkeypatch):
    """A consumer of its own next to the registered ones (analytics)."""
    RECEIVED.clear()
    registry = dict(consumers._registry)
    registry["probe"] = consumers.Consumer(name="probe", task=_probe_consumer_task)
    monkeypatch.setattr(consumers, "_registry", registry)
    return "probe"


def _event(project, *, minutes_ago: float = 0) -> Event:
    return Event.objects.create(
        project=project,
        type="task.created",
        data={"task": {"id": 1}},
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_a_consumer_handles_an_event_once(project):
    event = _event(project)
    assert event_receive(consumer="probe", event_id=event.pk) == event
    assert event_receive(consumer="probe", event_id=event.pk) is None
    # Another consumer's progress is its own.
    assert event_receive(consumer="other", event_id=event.pk) == event
    assert EventReceipt.objects.filter(event=event).count() == 2


def test_every_registered_consumer_is_queued_after_commit(
    project, probe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(project=project, type="task.created", data={"task": {"id": 1}})
    assert [str(event.pk)] == RECEIVED
    assert Event.objects.get(pk=event.pk).dispatched_at is not None  # webhooks consumed it too


def test_the_sweep_finds_each_consumers_missed_events(project, probe):
    missed = _event(project, minutes_ago=5)
    handled = _event(project, minutes_ago=5)
    fresh = _event(project)  # younger than the grace period: the happy path may still come
    EventReceipt.objects.create(consumer=probe, event=handled)
    result = outbox_sweep()
    assert result.consumer_event_ids[probe] == [missed.pk]
    assert fresh.pk not in result.consumer_event_ids["analytics"]


def test_an_event_committed_late_behind_the_cursor_is_still_found(project, probe):
    now = timezone.now()
    assert consumer_missed_events(consumer=probe, now=now) == []
    cursor = ConsumerCursor.objects.get(consumer=probe)
    assert cursor.scanned_until == now - SWEEP_GRACE
    # A transaction that took its created_at before the scan commits only now.
    late = _event(project, minutes_ago=10)
    assert late.created_at < cursor.scanned_until
    assert consumer_missed_events(consumer=probe, now=now) == [late.pk]
    # The cursor waits at the oldest event still missed.
    assert ConsumerCursor.objects.get(consumer=probe).scanned_until == late.created_at


def test_the_scan_starts_a_safety_window_before_the_cursor(project, probe):
    now = timezone.now()
    ConsumerCursor.objects.create(consumer=probe, scanned_until=now - SWEEP_GRACE)
    ancient = _event(project, minutes_ago=(CURSOR_SAFETY + SWEEP_GRACE).total_seconds() / 60 + 5)
    assert ancient.pk not in consumer_missed_events(consumer=probe, now=now)
