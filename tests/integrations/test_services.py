"""Webhook use-cases: validation and limits (delivery behaviour is in test_delivery.py)."""

from __future__ import annotations

import pytest

from config.errors import DomainError
from integrations import services
from integrations.models import EventType, Webhook
from tests.integrations.factories import WebhookFactory


def test_an_empty_secret_is_replaced_by_a_random_one(project, mentor, allow_private):
    first = services.webhook_create(
        project=project, by=mentor, url="http://hooks.local/a", events=["task.created"]
    )
    second = services.webhook_create(
        project=project, by=mentor, url="http://hooks.local/b", events=["task.created"], secret=" "
    )
    assert len(first.secret) >= 32
    assert first.secret != second.secret


def test_events_are_deduplicated_in_a_stable_order(project, mentor, allow_private):
    webhook = services.webhook_create(
        project=project,
        by=mentor,
        url="http://hooks.local/a",
        events=["review.submitted", "task.created", "review.submitted"],
    )
    assert webhook.events == ["task.created", "review.submitted"]
    assert webhook.event_labels() == ["Task created", "Review submitted"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"events": []}, "events"),
        ({"events": ["task.exploded"]}, "events"),
        ({"secret": "too-short"}, "secret"),
        ({"secret": "x" * 129}, "secret"),
        ({"url": "https://example.com/" + "x" * 500}, "url"),
    ],
)
def test_invalid_settings_are_refused_per_field(project, mentor, allow_private, changes, field):
    arguments = {"url": "http://hooks.local/a", "events": ["task.created"], **changes}
    with pytest.raises(DomainError) as refused:
        services.webhook_create(project=project, by=mentor, **arguments)
    assert refused.value.field == field
    assert not Webhook.objects.exists()


def test_a_project_has_a_limited_number_of_webhooks(project, mentor, allow_private):
    WebhookFactory.create_batch(services.MAX_WEBHOOKS_PER_PROJECT, project=project)
    with pytest.raises(DomainError) as refused:
        services.webhook_create(
            project=project, by=mentor, url="http://hooks.local/a", events=EventType.values
        )
    assert refused.value.code == "too_many_webhooks"


def test_update_keeps_what_is_not_given(project, mentor, allow_private):
    webhook = WebhookFactory(project=project, events=["task.created"])
    before = (webhook.url, webhook.secret)
    services.webhook_update(webhook=webhook, by=mentor, events=["task.moved"], secret="")
    webhook.refresh_from_db()
    assert (webhook.url, webhook.secret) == before
    assert webhook.events == ["task.moved"]


def test_deactivating_works_although_the_unchanged_url_is_now_refused(
    project, mentor, forbid_private
):
    # Stored while private addresses were allowed (say, in development).
    webhook = WebhookFactory(project=project, url="http://10.0.0.5/hook")
    services.webhook_update(webhook=webhook, by=mentor, url="http://10.0.0.5/hook", active=False)
    webhook.refresh_from_db()
    assert webhook.active is False


@pytest.mark.parametrize(
    "changes",
    [
        {"url": "http://10.0.0.5/hook"},  # the form posts the URL unchanged
        {"events": ["task.moved"]},  # the API may send only what changes
        {"secret": "a-brand-new-secret-99"},
        {"active": True},
    ],
)
def test_every_save_of_an_active_webhook_checks_its_url_again(
    project, mentor, forbid_private, changes
):
    # Accepted once (private addresses allowed then, or its name resolved
    # outside); an unchanged URL is no reason to keep trusting it.
    webhook = WebhookFactory(project=project, url="http://10.0.0.5/hook", events=["task.created"])
    before = (webhook.url, webhook.events, webhook.secret, webhook.active)
    with pytest.raises(DomainError) as refused:
        services.webhook_update(webhook=webhook, by=mentor, **changes)
    assert refused.value.field == "url"
    webhook.refresh_from_db()
    assert (webhook.url, webhook.events, webhook.secret, webhook.active) == before


def test_outbox_prune_forgets_old_settled_events_only(project):
    import datetime as dt

    from django.utils import timezone

    from integrations.models import DeliveryStatus, Event, WebhookDelivery
    from integrations.services import OUTBOX_RETENTION, event_record, outbox_prune
    from tests.integrations.factories import WebhookFactory

    webhook = WebhookFactory(project=project)
    now = timezone.now()
    old = now - OUTBOX_RETENTION - dt.timedelta(days=1)
    settled = event_record(project=project, type="task.created", data={})
    waiting = event_record(project=project, type="task.created", data={})
    recent = event_record(project=project, type="task.created", data={})
    Event.objects.filter(pk__in=[settled.pk, waiting.pk]).update(dispatched_at=old)
    Event.objects.filter(pk=recent.pk).update(dispatched_at=now)
    WebhookDelivery.objects.create(event=settled, webhook=webhook, status=DeliveryStatus.SUCCEEDED)
    WebhookDelivery.objects.create(event=waiting, webhook=webhook, status=DeliveryStatus.PENDING)

    assert outbox_prune(now=now) == 1
    assert set(Event.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert WebhookDelivery.objects.filter(event_id=settled.pk).count() == 0
