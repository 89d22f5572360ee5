"""In-app notifications, who watches which task, and how each user wants to hear.

A ``Notification`` is one thing one person should learn about a task. It is
written by this context's consumer of the event log (``services``), keyed by
the event it came from: the unique (recipient, event, kind) triple is what
makes a redelivered event or a second run of the due-date job add nothing.
``event_id`` is the outbox event's id, not a foreign key: the log is pruned
after a month, notifications stay. The due-date job has no event; it uses an
id derived from the task, the kind and the due date (``services.due_key``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.querysets import NotificationQuerySet


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("A task was assigned to you")
    COMMENTED = "commented", _("A comment on a task you follow")
    MOVED = "moved", _("A task you follow was moved")
    REVIEW_REQUESTED = "review_requested", _("A task waits for your review")
    REVIEW_DECIDED = "review_decided", _("Your task was reviewed")
    MENTIONED = "mentioned", _("You were mentioned")
    DUE_SOON = "due_soon", _("Your task is due tomorrow")
    OVERDUE = "overdue", _("Your task is overdue")


class Channel(models.TextChoices):
    EMAIL = "email", _("In the app and by e-mail")
    IN_APP = "in_app", _("In the app only")
    OFF = "off", _("Off")


# What a user gets until they choose: e-mail for what needs them, the bell
# for the chatter of tasks they follow.
DEFAULT_CHANNELS: dict[str, str] = {
    NotificationKind.ASSIGNED: Channel.EMAIL,
    NotificationKind.COMMENTED: Channel.IN_APP,
    NotificationKind.MOVED: Channel.IN_APP,
    NotificationKind.REVIEW_REQUESTED: Channel.EMAIL,
    NotificationKind.REVIEW_DECIDED: Channel.EMAIL,
    NotificationKind.MENTIONED: Channel.EMAIL,
    NotificationKind.DUE_SOON: Channel.EMAIL,
    NotificationKind.OVERDUE: Channel.EMAIL,
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    event_id = models.UUIDField(_("event"))
    task = models.ForeignKey(
        "tasks.Task",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("task"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Plain values for the sentence (decision, score, an excerpt, a column's
    # name), taken when the event was handled; never HTML.
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The outbox e-mail that carries it (several notifications may share one:
    # a batch). Empty when the recipient hears of this kind in the app only.
    email = models.ForeignKey(
        "accounts.OutgoingEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_id", "kind"], name="notifications_once_per_event"
            ),
        ]
        indexes = [
            # The page and the API: a user's notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_recent"),
            # The bell: a count of a user's unread ones, on every page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notif_recipient_unread",
            ),
            models.Index(fields=["email"], name="notif_email"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"


class Watch(models.Model):
    """``user`` hears about comments on and moves of ``task``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="watches",
        verbose_name=_("user"),
    )
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="watches", verbose_name=_("task")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="notifications_watch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.task_id}"


class NotificationSetting(models.Model):
    """How ``user`` wants to hear of one kind of notification (absent: the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_setting_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}: {self.channel}"
