"""Coordinators' admin: webhooks without their secret; deliveries and events read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import DeliveryStatus
from tests.integrations.factories import EventFactory, WebhookDeliveryFactory, WebhookFactory


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_webhook_change_page_hides_the_secret(staff_client):
    webhook = WebhookFactory()
    response = staff_client.get(reverse("admin:integrations_webhook_change", args=[webhook.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert webhook.secret not in content
    assert f"••••{webhook.secret_last4}" in content


def test_deactivating_in_the_admin_cancels_pending_retries(staff_client):
    webhook = WebhookFactory()
    pending = WebhookDeliveryFactory(webhook=webhook, status=DeliveryStatus.PENDING)
    response = staff_client.post(
        reverse("admin:integrations_webhook_change", args=[webhook.pk]),
        {"events": ["task.created"]},
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.active is False
    assert webhook.events == ["task.created"]
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.FAILED


def test_url_and_secret_cannot_be_changed_in_the_admin(staff_client):
    webhook = WebhookFactory()
    staff_client.post(
        reverse("admin:integrations_webhook_change", args=[webhook.pk]),
        {
            "events": ["task.created"],
            "active": "on",
            "url": "http://169.254.169.254/",
            "secret": "x" * 20,
        },
    )
    refreshed = type(webhook).objects.get(pk=webhook.pk)
    assert refreshed.url == webhook.url
    assert refreshed.secret == webhook.secret


def test_delivery_and_event_pages_are_read_only(staff_client):
    delivery = WebhookDeliveryFactory(last_error="HTTP 500 <script>alert(1)</script>")
    for name, pk in (
        ("admin:integrations_webhookdelivery_change", delivery.pk),
        ("admin:integrations_event_change", delivery.event.pk),
    ):
        response = staff_client.get(reverse(name, args=[pk]))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
    detail = staff_client.get(
        reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk])
    ).content.decode()
    assert "HTTP 500 &lt;script&gt;" in detail
    response = staff_client.post(
        reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]),
        {"status": "succeeded"},
    )
    assert response.status_code == 403


def test_search_accepts_any_text(staff_client):
    delivery = WebhookDeliveryFactory()
    EventFactory()
    for name in ("webhookdelivery", "event", "webhook"):
        url = reverse(f"admin:integrations_{name}_changelist")
        assert staff_client.get(url, {"q": "not-a-uuid"}).status_code == 200
    response = staff_client.get(
        reverse("admin:integrations_webhookdelivery_changelist"), {"q": str(delivery.pk)}
    )
    assert response.context["cl"].result_count == 1
