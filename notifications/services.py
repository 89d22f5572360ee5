"""Use-cases of notifications: the event log's consumer, watching, reading, e-mail.

How an event becomes notifications and e-mails, and why each comes once:

1. ``event_consume`` is this context's consumer of the event log
   (``integrations.consumers``). In one transaction it records its receipt
   (``event_receive``), works out who should hear of the event (``_HANDLERS``),
   makes the people involved watch the task, and writes the notifications.
   A redelivered event finds the receipt and does nothing; a rolled-back
   change never had an event.
2. Nobody hears of their own action, and only active members of the task's
   team (or staff watching it) hear of it at all: someone removed from the
   team learns nothing more of its tasks. Each recipient's setting for the
   kind decides: off, in the app, or in the app and by e-mail.
3. A notification to e-mail joins its recipient's pending batch (an
   ``accounts.OutgoingEmail`` row of kind ``EMAIL_KIND`` not yet due) or opens
   a new one due in ``NOTIFICATION_EMAIL_BATCH_SECONDS``; the accounts outbox
   sends it after commit (claimed once, retried with backoff, swept), and
   ``email_send`` renders every notification of the batch in the recipient's
   language and time zone. A notification belongs to one e-mail, so no event
   reaches anyone twice by e-mail.
4. ``due_notices_send`` (Celery beat, hourly) notifies assignees of open tasks
   due tomorrow or overdue, from ``NOTIFICATION_DUE_HOUR`` in each assignee's
   time zone; its notifications are keyed by task, kind and due date, so
   running it again (or twice at once) adds nothing.
"""

from __future__ import annotations

import datetime
import logging
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from accounts.models import OutgoingEmail, User
from config.queueing import enqueue
from integrations.models import Event, EventType
from integrations.services import event_receive
from notifications.models import (
    DEFAULT_CHANNELS,
    Channel,
    Notification,
    NotificationKind,
    NotificationSetting,
    Watch,
)
from projects.models import Column, ColumnCategory
from tasks.markdown import mentioned_usernames
from tasks.models import Task
from teams.models import Membership

logger = logging.getLogger(__name__)

CONSUMER = "notifications"
# The ``accounts.OutgoingEmail.kind`` of a batch of notifications.
EMAIL_KIND = OutgoingEmail.Kind.NOTIFICATIONS
EXCERPT_LENGTH = 280
# How far back the due-date job looks for tasks that became overdue (a job
# that did not run for a few days still tells, once).
OVERDUE_LOOKBACK = datetime.timedelta(days=7)
# Changes that happened longer ago than this when their event is handled are
# history written after the fact (demo data, an import), not news to tell.
HISTORY_AGE = datetime.timedelta(days=1)
# Namespace of the ids of notifications that no event carries (see due_key).
_KEY_NAMESPACE = uuid.UUID("0b5f3c52-1d4e-4a8a-9a57-6a2f4f1c9e10")


@dataclass(frozen=True)
class Notice:
    """Someone to notify of something (before the actor, membership and settings filters)."""

    recipient_id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    # Defaults to the event's id; description mentions and due dates have their own.
    key: uuid.UUID | None = None


@dataclass
class Plan:
    notices: list[Notice] = field(default_factory=list)
    watchers: set[int] = field(default_factory=set)


def due_key(*, task_id: int, kind: str, due_on: datetime.date) -> uuid.UUID:
    """The id of the due-date notice of a task for one due date: the same on every run."""
    return uuid.uuid5(_KEY_NAMESPACE, f"{kind}:{task_id}:{due_on.isoformat()}")


def _description_mention_key(task_id: int) -> uuid.UUID:
    # A description is edited many times: each person hears once that it mentions them.
    return uuid.uuid5(_KEY_NAMESPACE, f"mentioned:description:{task_id}")


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


# --- Who hears of what --------------------------------------------------------------------


def _member_ids(team_id: int) -> set[int]:
    return set(
        Membership.objects.active()
        .filter(team_id=team_id, user__is_active=True)
        .values_list("user_id", flat=True)
    )


def _mentor_ids(team_id: int) -> set[int]:
    return set(
        Membership.objects.active()
        .mentors()
        .filter(team_id=team_id, user__is_active=True)
        .values_list("user_id", flat=True)
    )


def mentioned_members(*, text: str, team_id: int) -> list[int]:
    """Ids of the active members of the team that ``text`` @mentions (anyone else: nobody)."""
    names = {name.lower() for name in mentioned_usernames(text)}
    if not names:
        return []
    return list(
        User.objects.annotate(name=Lower("username"))
        .filter(name__in=names, is_active=True, pk__in=_member_queryset(team_id))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _member_queryset(team_id: int) -> models.QuerySet:
    return Membership.objects.active().filter(team_id=team_id).values("user_id")


def _followers(task: Task, assignee_id: int | None) -> set[int]:
    """The task's watchers and its assignee: who hears of its comments and moves."""
    followers = set(Watch.objects.filter(task=task).values_list("user_id", flat=True))
    if assignee_id is not None:
        followers.add(assignee_id)
    return followers


def _mentions(
    plan: Plan, *, text: str, task: Task, data: dict[str, Any], key: uuid.UUID | None
) -> set[int]:
    mentioned = mentioned_members(text=text, team_id=task.project.team_id)
    plan.notices.extend(
        Notice(recipient_id=user_id, kind=NotificationKind.MENTIONED, data=data, key=key)
        for user_id in mentioned
    )
    plan.watchers.update(mentioned)
    return set(mentioned)


def _description_mentions(plan: Plan, task: Task) -> None:
    # The description as it is now: each member it mentions hears of it once.
    _mentions(
        plan,
        text=task.description,
        task=task,
        data={"source": "description"},
        key=_description_mention_key(task.pk),
    )


def _on_task_created(event: Event, task: Task) -> Plan:
    plan = Plan(watchers={task.reporter_id} if task.reporter_id else set())
    assignee_id = event.data["task"].get("assignee")
    if assignee_id is not None:
        plan.notices.append(Notice(recipient_id=assignee_id, kind=NotificationKind.ASSIGNED))
        plan.watchers.add(assignee_id)
    _description_mentions(plan, task)
    return plan


def _on_task_updated(event: Event, task: Task) -> Plan:
    plan = Plan()
    fields = event.data.get("fields") or []
    assignee_id = event.data["task"].get("assignee")
    if "assignee" in fields and assignee_id is not None:
        plan.notices.append(Notice(recipient_id=assignee_id, kind=NotificationKind.ASSIGNED))
        plan.watchers.add(assignee_id)
    if "description" in fields:
        _description_mentions(plan, task)
    return plan


def _on_task_moved(event: Event, task: Task) -> Plan:
    plan = Plan()
    data = event.data
    assignee_id = data["task"].get("assignee")
    column = Column.objects.filter(pk=data.get("to_column")).values_list("name", flat=True).first()
    followers = _followers(task, assignee_id)
    if data.get("review"):
        # The assignee hears of the decision itself (review.submitted).
        followers.discard(assignee_id)
    elif (
        data["task"].get("category") == ColumnCategory.REVIEW
        and data.get("from_category") != ColumnCategory.REVIEW
    ):
        mentors = _mentor_ids(task.project.team_id)
        plan.notices.extend(
            Notice(recipient_id=mentor_id, kind=NotificationKind.REVIEW_REQUESTED)
            for mentor_id in sorted(mentors)
        )
        followers -= mentors
    plan.notices.extend(
        Notice(recipient_id=user_id, kind=NotificationKind.MOVED, data={"column": column or ""})
        for user_id in sorted(followers)
    )
    return plan


def _on_comment_created(event: Event, task: Task) -> Plan:
    comment = event.data.get("comment") or {}
    body = comment.get("body") or ""
    plan = Plan(watchers={comment["author"]} if comment.get("author") else set())
    data = {"comment": comment.get("id"), "excerpt": excerpt(body)}
    mentioned = _mentions(plan, text=body, task=task, data=data, key=None)
    followers = _followers(task, event.data["task"].get("assignee")) - mentioned
    plan.notices.extend(
        Notice(recipient_id=user_id, kind=NotificationKind.COMMENTED, data=data)
        for user_id in sorted(followers)
    )
    return plan


def _on_review_submitted(event: Event, task: Task) -> Plan:
    review = event.data.get("review") or {}
    assignee_id = event.data["task"].get("assignee")
    if assignee_id is None:
        return Plan()
    data = {
        "decision": review.get("decision"),
        "score": review.get("score"),
        "excerpt": excerpt(review.get("comment") or ""),
    }
    return Plan(
        notices=[Notice(recipient_id=assignee_id, kind=NotificationKind.REVIEW_DECIDED, data=data)]
    )


_HANDLERS: dict[str, Callable[[Event, Task], Plan]] = {
    EventType.TASK_CREATED: _on_task_created,
    EventType.TASK_UPDATED: _on_task_updated,
    EventType.TASK_MOVED: _on_task_moved,
    EventType.COMMENT_CREATED: _on_comment_created,
    EventType.REVIEW_SUBMITTED: _on_review_submitted,
}


def event_consume(*, event_id: str | uuid.UUID) -> list[Notification]:
    """Handle one event of the log; the notifications it created.

    Idempotent: the receipt, the watches and the notifications commit
    together, and a second delivery of the event finds the receipt.
    """
    with transaction.atomic():
        event = event_receive(consumer=CONSUMER, event_id=event_id)
        if event is None:
            return []
        handler = _HANDLERS.get(event.type)
        task_id = _task_id(event.data)
        if handler is None or task_id is None:
            return []
        task = Task.objects.select_related("project").filter(pk=task_id).first()
        if task is None or task.archived:
            return []
        plan = handler(event, task)
        members = _member_ids(task.project.team_id)
        _watch_quietly(task, user_ids=plan.watchers & members)
        happened = _happened_at(event)
        if happened < timezone.now() - HISTORY_AGE:
            return []  # back-dated history (demo data, an import) is not news
        return _notify(
            task=task,
            notices=plan.notices,
            key=event.pk,
            actor_id=event.data.get("actor"),
            at=happened,
            members=members,
        )


def _task_id(data: object) -> int | None:
    """The task an event is about (task services put it in ``data["task"]["id"]``)."""
    task = data.get("task") if isinstance(data, dict) else None
    task_id = task.get("id") if isinstance(task, dict) else None
    return task_id if isinstance(task_id, int) else None


def _happened_at(event: Event) -> datetime.datetime:
    """When the change happened: the event's ``at`` (back-dated changes), else its recording."""
    happened = parse_datetime(event.data.get("at") or "")
    return happened if happened is not None else event.created_at


def _watch_quietly(task: Task, *, user_ids: Iterable[int]) -> None:
    Watch.objects.bulk_create(
        [Watch(task=task, user_id=user_id) for user_id in user_ids], ignore_conflicts=True
    )


def channels_for(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """Each (user, kind)'s chosen channel, the default where none was chosen."""
    user_ids, kinds = list(user_ids), list(kinds)
    chosen = {
        (user_id, kind): channel
        for user_id, kind, channel in NotificationSetting.objects.filter(
            user_id__in=user_ids, kind__in=kinds
        ).values_list("user_id", "kind", "channel")
    }
    return {
        (user_id, kind): chosen.get((user_id, kind), DEFAULT_CHANNELS[kind])
        for user_id in user_ids
        for kind in kinds
    }


def _notify(
    *,
    task: Task,
    notices: list[Notice],
    key: uuid.UUID,
    actor_id: int | None,
    at: datetime.datetime,
    members: set[int],
) -> list[Notification]:
    """Write the notifications that pass the filters; queue their e-mails.

    Precondition: inside the transaction that handles the event. One
    notification per recipient and event: the first notice wins (the
    handlers list the most specific first: a mention before a comment).
    """
    allowed = members | set(
        User.objects.filter(
            pk__in=[notice.recipient_id for notice in notices], is_staff=True, is_active=True
        ).values_list("pk", flat=True)
    )
    chosen: dict[int, Notice] = {}
    for notice in notices:
        if notice.recipient_id == actor_id or notice.recipient_id not in allowed:
            continue
        chosen.setdefault(notice.recipient_id, notice)
    channels = channels_for(chosen, {notice.kind for notice in chosen.values()})
    now = timezone.now()
    created = []
    for recipient_id, notice in chosen.items():
        channel = channels[recipient_id, notice.kind]
        if channel == Channel.OFF:
            continue
        try:
            # A savepoint: a notification already there (the due-date job run
            # twice, a description mentioning someone again) leaves the rest.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient_id=recipient_id,
                    kind=notice.kind,
                    event_id=notice.key or key,
                    task=task,
                    actor_id=actor_id,
                    data=notice.data,
                    created_at=at,
                )
        except IntegrityError:
            continue
        if channel == Channel.EMAIL:
            _attach_to_email(notification, now=now)
        created.append(notification)
    return created


# --- E-mail ---------------------------------------------------------------------------------


def _attach_to_email(notification: Notification, *, now: datetime.datetime) -> None:
    """Put the notification in its recipient's pending batch, or open a batch for it.

    A batch takes notifications until it is due; the send claims it only
    once due (``next_attempt_at``), and the row lock taken here makes a claim
    racing this one wait, so what joins a batch is always in the e-mail.
    """
    recipient = User.objects.filter(pk=notification.recipient_id).values("email").first()
    if not recipient or not recipient["email"]:
        return
    window = datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_BATCH_SECONDS)
    email = None
    if window:
        email = (
            OutgoingEmail.objects.select_for_update()
            .filter(
                user_id=notification.recipient_id,
                kind=EMAIL_KIND,
                status=OutgoingEmail.Status.PENDING,
                attempts=0,
                claimed_until__isnull=True,
                next_attempt_at__gt=now,
            )
            .order_by("-next_attempt_at")
            .first()
        )
    if email is None:
        email = OutgoingEmail.objects.create(
            user_id=notification.recipient_id,
            kind=EMAIL_KIND,
            created_at=now,
            next_attempt_at=now + window,
        )
        countdown = window.total_seconds() + 1 if window else None
        transaction.on_commit(
            lambda email_id=email.pk: _queue_email(email_id=email_id, countdown=countdown),
            robust=True,
        )
    Notification.objects.filter(pk=notification.pk).update(email=email)
    notification.email = email


def _queue_email(*, email_id: int, countdown: float | None) -> None:
    from accounts.tasks import outgoing_email_send_task

    enqueue(outgoing_email_send_task, countdown=countdown, email_id=str(email_id))


def email_send(email: OutgoingEmail) -> bool:
    """Send a batch of notifications (the accounts outbox's sender for ``EMAIL_KIND``).

    In the recipient's language and time zone, plain text and HTML, every
    piece of user text escaped in the HTML part. False (nothing sent) for a
    recipient without an address or no longer active, or an empty batch.
    """
    from notifications.selectors import notification_items

    user = email.user
    if not user.email or not user.is_active:
        return False
    notifications = list(
        Notification.objects.filter(email=email)
        .select_related("task", "task__project", "actor")
        .order_by("created_at", "pk")
    )
    if not notifications:
        return False
    with (
        translation.override(user.preferred_language or settings.LANGUAGE_CODE),
        timezone.override(_zone(user.time_zone)),
    ):
        items = notification_items(notifications, absolute=True)
        context = {
            "user": user,
            "items": items,
            "site_url": settings.SITE_URL,
            "notifications_url": settings.SITE_URL + _page_path(),
        }
        subject = render_to_string("notifications/email/subject.txt", context)
        text = render_to_string("notifications/email/body.txt", context)
        html = render_to_string("notifications/email/body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, from_email=None, to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def _page_path() -> str:
    from django.urls import reverse

    return reverse("notifications")


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- Due dates ------------------------------------------------------------------------------


def due_notices_send(*, now: datetime.datetime | None = None) -> int:
    """Notify assignees of their open tasks due tomorrow or overdue; how many notices were new.

    Per time zone of the assignees: from ``NOTIFICATION_DUE_HOUR`` of their
    local day on, a task due the next local day is "due tomorrow", one due
    before today (within ``OVERDUE_LOOKBACK``) is "overdue". Each is keyed by
    task, kind and due date, so a second run adds nothing and a changed due
    date is told again.
    """
    now = now or timezone.now()
    open_tasks = Task.objects.open().filter(
        assignee__isnull=False, assignee__is_active=True, due_on__isnull=False
    )
    zones = sorted(
        set(open_tasks.order_by().values_list("assignee__time_zone", flat=True).distinct())
    )
    sent = 0
    for name in zones:
        local = now.astimezone(_zone(name))
        if local.hour < settings.NOTIFICATION_DUE_HOUR:
            continue
        today = local.date()
        tasks = (
            open_tasks.filter(assignee__time_zone=name)
            .filter(
                models.Q(due_on=today + datetime.timedelta(days=1))
                | models.Q(due_on__lt=today, due_on__gte=today - OVERDUE_LOOKBACK)
            )
            .select_related("project")
            .order_by("pk")
        )
        for task in tasks:
            kind = NotificationKind.DUE_SOON if task.due_on > today else NotificationKind.OVERDUE
            with transaction.atomic():
                sent += len(
                    _notify(
                        task=task,
                        notices=[Notice(recipient_id=task.assignee_id, kind=kind)],
                        key=due_key(task_id=task.pk, kind=kind, due_on=task.due_on),
                        actor_id=None,
                        at=now,
                        members=_member_ids(task.project.team_id),
                    )
                )
    return sent


# --- Reading and watching -------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of ``by``'s notifications read (again: no change)."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of ``by`` read; how many there were."""
    return Notification.objects.for_user(by).unread().update(read_at=timezone.now())


def task_watch(*, task: Task, by: User, watch: bool) -> bool:
    """Start or stop watching ``task``; whether ``by`` watches it now.

    Precondition: ``by`` may see the task (fetched through tasks.permissions).
    """
    if watch:
        Watch.objects.get_or_create(task=task, user=by)
    else:
        Watch.objects.filter(task=task, user=by).delete()
    return watch


def notification_settings_save(*, user: User, channels: dict[str, str]) -> None:
    """Store ``user``'s channel per kind; a kind left out keeps its setting."""
    valid = {kind: channel for kind, channel in channels.items() if kind in DEFAULT_CHANNELS}
    if any(channel not in Channel.values for channel in valid.values()):
        raise ValueError("unknown channel")  # the form validated it: a programming error
    with transaction.atomic():
        for kind, channel in valid.items():
            NotificationSetting.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )
