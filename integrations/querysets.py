"""Query vocabulary for events, webhooks and deliveries."""

from __future__ import annotations

import datetime

from django.db import models


class EventQuerySet(models.QuerySet):
    def undispatched_before(self, cutoff: datetime.datetime) -> EventQuerySet:
        return self.filter(dispatched_at__isnull=True, created_at__lt=cutoff)


class WebhookQuerySet(models.QuerySet):
    def active(self) -> WebhookQuerySet:
        return self.filter(active=True)

    def of_project(self, project_id: int) -> WebhookQuerySet:
        return self.filter(project_id=project_id)


class DeliveryQuerySet(models.QuerySet):
    def pending(self) -> DeliveryQuerySet:
        return self.filter(status="pending")  # DeliveryStatus.PENDING (models import us)

    def due(self, now: datetime.datetime) -> DeliveryQuerySet:
        """Pending, its next attempt time reached, and no worker holding a live claim."""
        return (
            self.pending()
            .filter(models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))
            .unclaimed(now)
        )

    def unclaimed(self, now: datetime.datetime) -> DeliveryQuerySet:
        return self.filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))
