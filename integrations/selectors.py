"""Reads about webhooks and deliveries shared by pages, the API and admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from integrations.models import Webhook, WebhookDelivery

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
