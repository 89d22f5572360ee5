"""Delivering events to a real local receiver: signature, shape, retries, give-up, refusals."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import socket

import pytest
import time_machine
from django.utils import timezone

from integrations import services
from integrations.models import DeliveryStatus, Event, EventType, WebhookDelivery
from integrations.tasks import outbox_sweep_task, webhook_deliver_task
from tests.integrations.conftest import SECRET
from tests.projects.factories import ProjectFactory


def sweep_later(minutes: float = 0, hours: float = 0) -> None:
    """Run the periodic sweep as if that much time had passed."""
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes, hours=hours)):
        outbox_sweep_task()


@pytest.fixture
def travel():
    """Move the clock forward for the rest of the test, step by step."""
    traveller = None

    def to(delta: datetime.timedelta) -> None:
        nonlocal traveller
        target = timezone.now() + delta  # from the travelled clock: steps add up
        if traveller is not None:
            traveller.stop()
        traveller = time_machine.travel(target)
        traveller.start()

    yield to
    if traveller is not None:
        traveller.stop()


def test_delivery_is_signed_and_has_the_documented_shape(project, webhook, receiver, record_event):
    event = record_event(project, EventType.TASK_MOVED, {"task": {"id": 7, "key": "WEB-7"}})

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = WebhookDelivery.objects.get(event=event, webhook=webhook)
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.method == "POST"
    assert request.path == "/hook"
    assert request.headers["X-Internboard-Signature"] == expected
    assert request.headers["X-Internboard-Event"] == "task.moved"
    assert request.headers["X-Internboard-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.body)
    assert set(body) == {"event", "id", "created", "data"}
    assert body["event"] == "task.moved"
    assert body["id"] == str(event.pk)
    assert datetime.datetime.fromisoformat(body["created"]) == event.created_at
    assert body["data"] == {"task": {"id": 7, "key": "WEB-7"}}

    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.last_duration_ms is not None
    assert delivery.delivered_at is not None
    assert delivery.last_error == ""
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_signature_changes_with_the_secret(project, mentor, receiver, record_event):
    services.webhook_create(
        project=project,
        by=mentor,
        url=receiver.url("/a"),
        events=EventType.values,
        secret="first-secret-0123456789",
    )
    services.webhook_create(
        project=project,
        by=mentor,
        url=receiver.url("/b"),
        events=EventType.values,
        secret="other-secret-0123456789",
    )
    record_event(project)

    by_path = {request.path: request for request in receiver.requests}
    assert by_path["/a"].body == by_path["/b"].body
    assert (
        by_path["/a"].headers["X-Internboard-Signature"]
        != by_path["/b"].headers["X-Internboard-Signature"]
    )
    assert by_path["/b"].headers["X-Internboard-Signature"] == (
        "sha256="
        + hmac.new(b"other-secret-0123456789", by_path["/b"].body, hashlib.sha256).hexdigest()
    )


def test_only_active_subscribed_webhooks_of_the_project_receive_the_event(
    project, mentor, receiver, record_event
):
    subscribed = services.webhook_create(
        project=project, by=mentor, url=receiver.url("/yes"), events=["comment.created"]
    )
    services.webhook_create(
        project=project, by=mentor, url=receiver.url("/other-type"), events=["task.created"]
    )
    services.webhook_create(
        project=project,
        by=mentor,
        url=receiver.url("/inactive"),
        events=["comment.created"],
        active=False,
    )
    other_project = ProjectFactory(team=project.team, key="DATA")
    services.webhook_create(
        project=other_project, by=mentor, url=receiver.url("/foreign"), events=EventType.values
    )

    event = record_event(project, EventType.COMMENT_CREATED)

    assert [request.path for request in receiver.requests] == ["/yes"]
    assert list(event.deliveries.values_list("webhook", flat=True)) == [subscribed.pk]


def test_a_500_is_retried_later_and_then_succeeds(project, webhook, receiver, record_event):
    receiver.respond_with(500, 200)
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at > timezone.now()

    outbox_sweep_task()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    sweep_later(minutes=10)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    first, second = receiver.requests
    # The same delivery: receivers dedupe on the id, and the signed body is identical.
    assert first.headers["X-Internboard-Delivery"] == second.headers["X-Internboard-Delivery"]
    assert first.body == second.body
    assert first.headers["X-Internboard-Signature"] == second.headers["X-Internboard-Signature"]


def test_retries_back_off_exponentially(project, webhook, receiver, record_event, travel):
    receiver.default_status = 503
    event = record_event(project)
    delivery = WebhookDelivery.objects.get(event=event)
    waits = []
    for _ in range(4):
        delivery.refresh_from_db()
        waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
        travel(delivery.next_attempt_at - timezone.now() + datetime.timedelta(minutes=2))
        outbox_sweep_task()
    # 1, 2, 4, 8 minutes (+ up to 10 % jitter), measured from each attempt.
    for wait, minutes in zip(waits, (1, 2, 4, 8), strict=True):
        assert 60 * minutes - 5 <= wait <= 66 * minutes + 5


def test_delivery_gives_up_after_the_attempt_limit(
    project, webhook, receiver, record_event, settings, travel
):
    receiver.default_status = 502
    event = record_event(project)
    for hours in range(1, 12):
        travel(datetime.timedelta(hours=3 * hours))
        outbox_sweep_task()

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == settings.WEBHOOK_MAX_ATTEMPTS == 8
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 8


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    project, webhook, receiver, record_event
):
    receiver.respond_with(302)
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert [request.path for request in receiver.requests] == ["/hook"]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code == 302
    assert "redirect" in delivery.last_error
    sweep_later(hours=3)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_a_4xx_is_a_permanent_failure(project, webhook, receiver, record_event, status):
    receiver.respond_with(status)
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.last_status_code == status
    sweep_later(hours=3)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_408_429_and_5xx_are_retried(project, webhook, receiver, record_event, status):
    receiver.respond_with(status)
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at is not None
    sweep_later(minutes=10)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_a_slow_receiver_times_out_and_is_retried(
    project, webhook, receiver, record_event, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    receiver.respond_with(200, delay=1.0)
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert "Timed out" in delivery.last_error
    assert delivery.last_duration_ms < 1000


def test_an_unreachable_receiver_is_retried(project, mentor, allow_private, record_event):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services.webhook_create(
        project=project, by=mentor, url=f"http://127.0.0.1:{port}/", events=EventType.values
    )
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert "Connection failed" in delivery.last_error


def test_delivery_to_a_private_address_is_refused_when_not_allowed(
    project, webhook, receiver, record_event, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    event = record_event(project)

    delivery = WebhookDelivery.objects.get(event=event)
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED  # not retried: it would only be refused again
    assert delivery.attempts == 1
    assert "127.0.0.1" in delivery.last_error


def test_running_a_delivery_again_does_not_post_again(project, webhook, receiver, record_event):
    event = record_event(project)
    delivery = WebhookDelivery.objects.get(event=event)

    webhook_deliver_task.delay(delivery_id=str(delivery.pk))
    assert services.delivery_attempt(delivery_id=delivery.pk) is None

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_claimed_delivery_is_left_to_its_worker(project, webhook, receiver, record_event):
    receiver.respond_with(500)
    event = record_event(project)
    delivery = WebhookDelivery.objects.get(event=event)
    # Another worker holds it (its lease runs for a while) and it is due.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now(),
        claimed_until=timezone.now() + datetime.timedelta(minutes=5),
    )

    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    sweep_later(minutes=2)
    assert len(receiver.requests) == 1

    sweep_later(minutes=10)  # the lease ran out: the worker is presumed dead
    assert len(receiver.requests) == 2


def test_a_lost_last_attempt_is_closed_by_the_sweep(project, webhook, receiver, settings):
    event = services.event_record(project=project, type="task.created", data={})
    services.event_dispatch(event_id=event.pk)
    delivery = WebhookDelivery.objects.get(event=event)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        claimed_until=timezone.now() + datetime.timedelta(minutes=1),
    )

    sweep_later(minutes=5)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "worker lost" in delivery.last_error
    assert receiver.requests == []


def test_dispatching_twice_creates_one_delivery_per_webhook(project, webhook, receiver):
    event = services.event_record(project=project, type="task.created", data={})

    first = services.event_dispatch(event_id=event.pk)
    second = services.event_dispatch(event_id=event.pk)

    assert len(first) == 1
    assert second == first  # still due: queueing it again is harmless
    assert WebhookDelivery.objects.filter(event=event).count() == 1


def test_a_webhook_does_not_receive_events_older_than_itself(
    project, mentor, receiver, record_event
):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5)):
        event = services.event_record(project=project, type="task.created", data={})
    services.webhook_create(project=project, by=mentor, url=receiver.url(), events=["task.created"])

    outbox_sweep_task()

    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert receiver.requests == []


def test_deactivating_a_webhook_cancels_its_pending_retries(
    project, webhook, receiver, record_event, mentor
):
    receiver.respond_with(500)
    event = record_event(project)

    services.webhook_update(webhook=webhook, by=mentor, active=False)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED
    assert "deactivated" in delivery.last_error
    sweep_later(hours=3)
    assert len(receiver.requests) == 1


def test_event_data_may_hold_dates_and_uuids(project, webhook, receiver, record_event):
    due = datetime.date(2026, 10, 1)
    record_event(project, data={"due_on": due, "at": timezone.now()})

    body = json.loads(receiver.requests[0].body)
    assert body["data"]["due_on"] == "2026-10-01"


def test_test_ping_is_signed_and_reports_the_answer(webhook, receiver, mentor):
    result = services.webhook_send_test(webhook=webhook, by=mentor)

    assert result.ok
    assert result.status_code == 200
    request = receiver.requests[0]
    assert request.headers["X-Internboard-Event"] == "ping"
    assert json.loads(request.body)["event"] == "ping"
    assert request.headers["X-Internboard-Signature"] == (
        "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    )
    assert not Event.objects.exists()


def test_a_redelivered_message_takes_its_own_stale_claim_over(project, webhook, receiver):
    """Issue 7, item 16: the same Celery message run again (its worker died) does the work."""
    event = services.event_record(project=project, type="task.created", data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)
    # The first run claimed the row and died while posting (nothing recorded).
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=1,
        claimed_until=timezone.now() + datetime.timedelta(minutes=1),
        claimed_by="task-1",
    )

    # Another message (a sweep's, a duplicate) still respects the live claim…
    assert services.delivery_attempt(delivery_id=delivery_id, claim="task-2") is None
    assert receiver.requests == []
    # …but the redelivered original goes ahead at once, under the same delivery id.
    delivery = services.delivery_attempt(delivery_id=delivery_id, claim="task-1")

    assert delivery is not None
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2
    assert receiver.requests[0].headers["X-Internboard-Delivery"] == str(delivery_id)
    delivery.refresh_from_db()
    assert (delivery.claimed_until, delivery.claimed_by) == (None, "")
