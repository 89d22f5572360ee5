"""The event log (outbox), webhooks and their deliveries.

``Event`` is the transactional outbox, read as a log by several consumers
(``integrations.consumers``): task services write one row in the same
transaction as the change, so an event exists exactly when the change
committed. Each consumer keeps its own progress: webhooks in
``Event.dispatched_at``, every other consumer (analytics, later
notifications) in ``EventReceipt`` rows, unique per consumer and event, so a
redelivered message or a sweep never applies an event twice; and
``ConsumerCursor`` tells the sweep where its scan may start.
``WebhookDelivery`` is one event on its way to one webhook; its UUID is the
``X-Internboard-Delivery`` header receivers dedupe on.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.querysets import DeliveryQuerySet, EventQuerySet, WebhookQuerySet

URL_MAX_LENGTH = 500
SECRET_MAX_LENGTH = 128


class EventType(models.TextChoices):
    TASK_CREATED = "task.created", _("Task created")
    TASK_UPDATED = "task.updated", _("Task updated")
    TASK_MOVED = "task.moved", _("Task moved")
    TASK_COMPLETED = "task.completed", _("Task completed")
    TASK_DELETED = "task.deleted", _("Task archived")
    COMMENT_CREATED = "comment.created", _("Comment created")
    REVIEW_SUBMITTED = "review.submitted", _("Review submitted")
    ATTACHMENT_CREATED = "attachment.created", _("Attachment added")


class Event(models.Model):
    """Something that happened in a project, recorded with the change itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("project"),
    )
    type = models.CharField(_("type"), max_length=32, choices=EventType.choices)
    # DjangoJSONEncoder: callers may put dates, datetimes and UUIDs in ``data``.
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at"]
        indexes = [
            # The sweep scans only the (normally empty) undispatched tail.
            models.Index(
                fields=["created_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="integ_event_undispatched",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=EventType.values),
                name="integrations_event_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.pk}"


class EventReceipt(models.Model):
    """A consumer has handled an event; written in the consumer's own transaction.

    The unique (consumer, event) pair is what makes a consumer idempotent: a
    second delivery of the same event finds the receipt and does nothing.
    """

    consumer = models.CharField(_("consumer"), max_length=40)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("event")
    )
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        verbose_name = _("event receipt")
        verbose_name_plural = _("event receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "event"], name="integrations_receipt_once_per_consumer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} · {self.event_id}"


class ConsumerCursor(models.Model):
    """Where the sweep's scan for a consumer's missed events starts.

    Not a "read up to here" mark: events are ordered by ``created_at``, which
    is taken before their transaction commits, so a slow transaction can
    commit an older event after newer ones were handled. The sweep therefore
    rescans a safety window before ``scanned_until`` (much longer than any
    transaction may run) and relies on receipts, not the cursor, to skip
    what was handled.
    """

    consumer = models.CharField(_("consumer"), max_length=40, unique=True)
    scanned_until = models.DateTimeField(_("scanned until"))

    class Meta:
        verbose_name = _("consumer cursor")
        verbose_name_plural = _("consumer cursors")

    def __str__(self) -> str:
        return self.consumer


class Webhook(models.Model):
    """A receiver of a project's events. The secret signs every delivery."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("project"),
    )
    url = models.URLField(_("URL"), max_length=URL_MAX_LENGTH)
    # Kept in clear: signing needs it. Never rendered after creation except
    # its last four characters (``secret_last4``).
    secret = models.CharField(_("secret"), max_length=SECRET_MAX_LENGTH)
    events = models.JSONField(
        _("events"), default=list, help_text=_("Event types this webhook receives.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["project", "created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_last4(self) -> str:
        return self.secret[-4:]

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in self.events

    def event_labels(self) -> list[str]:
        return [EventType(value).label for value in self.events if value in EventType.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event on its way to one webhook, with the outcome of its last attempt.

    A worker claims the row (``claimed_until``, a lease, and ``claimed_by``)
    before sending, so two messages for the same delivery never post at once;
    when the worker dies mid-attempt, Celery redelivers its message, which
    takes its own claim over, and otherwise the lease runs out and the sweep
    re-queues the row. Every attempt is kept as a ``DeliveryAttempt``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Who holds the claim: the Celery task id of the message that made it (a
    # random token outside Celery). A copy of that very message redelivered
    # after its worker died (acks_late + reject_on_worker_lost) may take the
    # claim over at once instead of waiting for the lease to run out.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            # Dispatching an event twice (Celery redelivery, the sweep) must
            # not post it twice: the second insert is ignored.
            models.UniqueConstraint(
                fields=["event", "webhook"], name="integrations_delivery_once_per_webhook"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="integrations_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status=DeliveryStatus.PENDING),
                name="integ_delivery_due",
            ),
            models.Index(fields=["webhook", "-created_at"], name="integ_delivery_recent"),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class DeliveryAttempt(models.Model):
    """One POST of a delivery (or one lost to a dead worker): the delivery log's rows."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    ok = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [
            # The attempt number comes from the claim, which only one worker wins.
            models.UniqueConstraint(
                fields=["delivery", "number"], name="integrations_attempt_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
