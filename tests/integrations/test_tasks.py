"""The outbox: events survive a broker outage at commit time; retries are rows the sweep finds."""

from __future__ import annotations

import contextlib
import datetime
import logging
from unittest import mock

import kombu.exceptions
import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from integrations import services
from integrations.models import DeliveryStatus, Event, EventType, WebhookDelivery
from integrations.tasks import (
    event_dispatch_task,
    outbox_sweep_task,
    webhook_deliver_task,
)
from projects.models import Project

BROKER_DOWN = kombu.exceptions.OperationalError("Error 111 connecting to redis:6379")


def _rename_project_with_event(project: Project) -> Event:
    """A change and its event in one transaction, as a task service does it."""
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(name="Renamed shop")
        return services.event_record(project=project, type=EventType.TASK_UPDATED, data={"n": 1})


def test_event_record_is_a_single_insert(project, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.event_record(project=project, type=EventType.TASK_CREATED, data={})


def test_event_record_refuses_an_unknown_type(project):
    with pytest.raises(ValueError, match="unknown event type"):
        services.event_record(project=project, type="task.exploded", data={})


def test_a_rolled_back_change_leaves_no_event_and_queues_nothing(
    project, django_capture_on_commit_callbacks
):
    def failing_change() -> None:
        with transaction.atomic():
            services.event_record(project=project, type=EventType.TASK_CREATED, data={})
            raise RuntimeError("the change failed")

    with (
        mock.patch.object(event_dispatch_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_change()

    assert not Event.objects.exists()
    assert callbacks == []
    delay.assert_not_called()


def test_dispatch_is_queued_only_after_commit(project, django_capture_on_commit_callbacks):
    with mock.patch.object(event_dispatch_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            event = services.event_record(project=project, type=EventType.TASK_CREATED, data={})
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(event_id=str(event.pk))


def test_a_change_publishes_one_message_and_the_worker_fans_it_out_to_the_consumers(
    project, django_capture_on_commit_callbacks
):
    """The request pays for one broker round trip however many consumers read the log."""
    from integrations.consumers import registered

    consumers = registered()
    assert consumers, "the analytics consumer registers itself"
    with (
        mock.patch.object(event_dispatch_task, "delay") as dispatch,
        contextlib.ExitStack() as stack,
    ):
        consumer_delays = [
            stack.enter_context(mock.patch.object(consumer.task, "delay")) for consumer in consumers
        ]
        with django_capture_on_commit_callbacks(execute=True):
            event = _rename_project_with_event(project)
        dispatch.assert_called_once_with(event_id=str(event.pk))
        for delay in consumer_delays:
            delay.assert_not_called()

        event_dispatch_task.run(event_id=str(event.pk))  # what the worker does with it
        for delay in consumer_delays:
            delay.assert_called_once_with(event_id=str(event.pk))
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_outbox_sweep_delivers_events_whose_enqueue_failed(
    project, webhook, receiver, django_capture_on_commit_callbacks, caplog
):
    with (
        mock.patch.object(event_dispatch_task, "delay", side_effect=BROKER_DOWN),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING, logger="config.queueing"),
    ):
        event = _rename_project_with_event(project)

    # The change committed, the event is there, undispatched, and the failure was logged.
    assert Project.objects.get(pk=project.pk).name == "Renamed shop"
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert "the sweep will pick it up" in caplog.text
    assert receiver.requests == []

    outbox_sweep_task()  # too early: the happy path gets a minute
    assert receiver.requests == []

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        outbox_sweep_task()

    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-Internboard-Event"] == "task.updated"
    assert WebhookDelivery.objects.get(event=event).status == DeliveryStatus.SUCCEEDED


def test_outbox_sweep_delivers_deliveries_whose_enqueue_failed(
    project, webhook, receiver, record_event
):
    with mock.patch.object(webhook_deliver_task, "delay", side_effect=BROKER_DOWN):
        event = record_event(project)

    event.refresh_from_db()
    assert event.dispatched_at is not None
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0
    assert receiver.requests == []

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        outbox_sweep_task()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 1


def test_a_worker_requeues_a_short_retry_with_a_countdown(project, webhook, receiver):
    receiver.respond_with(500)
    event = services.event_record(project=project, type=EventType.TASK_CREATED, data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)

    with mock.patch.object(webhook_deliver_task, "apply_async") as apply_async:
        # Called directly, as a worker runs it (not eagerly).
        webhook_deliver_task(delivery_id=str(delivery_id))

    apply_async.assert_called_once()
    countdown = apply_async.call_args.kwargs["countdown"]
    assert 60 <= countdown <= 68
    assert apply_async.call_args.kwargs["kwargs"] == {"delivery_id": str(delivery_id)}


def test_a_long_wait_is_left_to_the_sweep(project, webhook, receiver, settings):
    receiver.default_status = 500
    event = services.event_record(project=project, type=EventType.TASK_CREATED, data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)
    # Five failed attempts already: the next wait is 32 minutes.
    WebhookDelivery.objects.filter(pk=delivery_id).update(attempts=5)

    with mock.patch.object(webhook_deliver_task, "apply_async") as apply_async:
        webhook_deliver_task(delivery_id=str(delivery_id))

    apply_async.assert_not_called()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 6
    assert delivery.next_attempt_at - timezone.now() > datetime.timedelta(minutes=30)


def test_eager_delivery_never_retries_inline(project, webhook, receiver, record_event):
    receiver.default_status = 500
    with mock.patch.object(
        webhook_deliver_task, "apply_async", wraps=webhook_deliver_task.apply_async
    ) as apply_async:
        event = record_event(project)

    # .delay() once from the dispatch, and no self-requeue with a countdown.
    apply_async.assert_called_once()
    assert "countdown" not in apply_async.call_args.kwargs
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get(event=event).attempts == 1


def test_a_project_without_webhooks_just_marks_its_events_dispatched(project, record_event):
    event = record_event(project)

    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert not WebhookDelivery.objects.exists()


def test_sweep_task_is_registered_under_the_beat_name(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["integrations-sweep-outbox"]
    assert entry["task"] == outbox_sweep_task.name == "integrations.tasks.outbox_sweep_task"
