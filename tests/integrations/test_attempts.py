"""Every attempt of a delivery is kept and shown (issue 7, item 17)."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from integrations import services
from integrations.models import DeliveryAttempt, EventType, WebhookDelivery
from integrations.tasks import outbox_sweep_task


def _two_attempts(project, receiver, record_event) -> WebhookDelivery:
    receiver.respond_with(503, 200)
    event = record_event(project)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)):
        outbox_sweep_task()
    return WebhookDelivery.objects.get(event=event)


def test_every_attempt_is_kept_with_its_outcome(project, webhook, receiver, record_event):
    delivery = _two_attempts(project, receiver, record_event)

    assert delivery.status == "succeeded"
    first, second = delivery.attempt_log.order_by("number")
    assert (first.number, first.ok, first.status_code, first.error) == (1, False, 503, "HTTP 503")
    assert (second.number, second.ok, second.status_code, second.error) == (2, True, 200, "")
    assert first.duration_ms is not None
    assert second.duration_ms is not None
    assert first.started_at < second.started_at


def test_a_connection_failure_is_logged_without_a_status(project, mentor, allow_private):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services.webhook_create(
        project=project, by=mentor, url=f"http://127.0.0.1:{port}/", events=EventType.values
    )
    event = services.event_record(project=project, type=EventType.TASK_CREATED, data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)
    services.delivery_attempt(delivery_id=delivery_id)

    (attempt,) = DeliveryAttempt.objects.filter(delivery_id=delivery_id)
    assert attempt.status_code is None
    assert "Connection failed" in attempt.error


def test_the_delivery_log_page_lists_every_attempt(
    client, mentor, project, webhook, receiver, record_event
):
    _two_attempts(project, receiver, record_event)
    client.force_login(mentor)

    content = client.get(reverse("webhook_detail", args=[project.pk, webhook.pk])).content.decode()

    assert "2 attempts" in content
    assert "HTTP 503" in content
    assert "HTTP 200" in content


def test_the_delivery_log_page_query_count_does_not_grow(
    client, mentor, project, webhook, receiver, record_event, django_assert_max_num_queries
):
    client.force_login(mentor)
    url = reverse("webhook_detail", args=[project.pk, webhook.pk])
    _two_attempts(project, receiver, record_event)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(4):
        _two_attempts(project, receiver, record_event)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_api_returns_the_attempt_log(mentor, project, webhook, receiver, record_event):
    delivery = _two_attempts(project, receiver, record_event)
    api = APIClient()
    api.force_login(mentor)

    body = api.get(reverse("api-webhook-deliveries", args=[project.pk, webhook.pk])).json()

    (item,) = body["results"]
    assert item["id"] == str(delivery.pk)
    assert [(a["number"], a["status_code"], a["ok"]) for a in item["attempt_log"]] == [
        (1, 503, False),
        (2, 200, True),
    ]
    assert set(item["attempt_log"][0]) == {
        "number",
        "started_at",
        "ok",
        "status_code",
        "duration_ms",
        "error",
    }


def test_the_admin_shows_the_attempts(client, staff, project, webhook, receiver, record_event):
    delivery = _two_attempts(project, receiver, record_event)
    client.force_login(staff)

    response = client.get(reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "HTTP 503" in content
    assert content.count("attempt_log-") > 0  # the inline's rows


def test_a_lost_attempt_is_logged_when_the_sweep_closes_it(project, webhook, receiver, settings):
    event = services.event_record(project=project, type=EventType.TASK_CREATED, data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=settings.WEBHOOK_MAX_ATTEMPTS, claimed_until=now, claimed_by="dead-worker"
    )
    DeliveryAttempt.objects.create(
        delivery_id=delivery_id, number=settings.WEBHOOK_MAX_ATTEMPTS, started_at=now
    )

    with time_machine.travel(now + datetime.timedelta(minutes=5)):
        outbox_sweep_task()

    attempt = DeliveryAttempt.objects.get(delivery_id=delivery_id)
    assert "lost" in attempt.error
    assert WebhookDelivery.objects.get(pk=delivery_id).status == "failed"
