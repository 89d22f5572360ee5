"""Reads about webhooks and deliveries shared by pages, the API and admin."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models

from integrations.models import DeliveryAttempt, Event, Webhook, WebhookDelivery

if TYPE_CHECKING:
    from projects.models import Project

RECENT_DELIVERIES_PER_WEBHOOK = 5


def _newest_deliveries() -> models.QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.select_related("event").order_by("-created_at", "-pk")


def project_webhooks(project: Project) -> models.QuerySet[Webhook]:
    """The project's webhooks, oldest first."""
    return Webhook.objects.of_project(project.pk).order_by("created_at", "pk")


def project_webhooks_with_recent_deliveries(
    project: Project, *, recent: int = RECENT_DELIVERIES_PER_WEBHOOK
) -> models.QuerySet[Webhook]:
    """The project's webhooks, each with ``recent_deliveries`` (newest first).

    One query for the webhooks and one for all their deliveries, whatever
    their number: the sliced prefetch is a window query per webhook.
    """
    return project_webhooks(project).prefetch_related(
        models.Prefetch(
            "deliveries", queryset=_newest_deliveries()[:recent], to_attr="recent_deliveries"
        )
    )


def webhook_deliveries(webhook: Webhook) -> models.QuerySet[WebhookDelivery]:
    """A webhook's deliveries, newest first, with their events."""
    return _newest_deliveries().filter(webhook=webhook)


def webhook_deliveries_with_attempts(webhook: Webhook) -> models.QuerySet[WebhookDelivery]:
    """A webhook's deliveries, newest first, each with its ``attempt_log`` (oldest first)."""
    return webhook_deliveries(webhook).prefetch_related(
        models.Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
    )


def oldest_undispatched_event_at() -> datetime.datetime | None:
    """When the oldest event still waiting for dispatch was recorded (the outbox lag), or None.

    Cheap: the partial index on undispatched events holds only that tail.
    """
    return (
        Event.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
