"""Reads about notifications shared by the page, the bell, the API and the e-mails."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import (
    DEFAULT_CHANNELS,
    Notification,
    NotificationKind,
    NotificationSetting,
    Watch,
)
from tasks.models import ReviewDecision
from teams.models import Membership

if TYPE_CHECKING:
    from accounts.models import User
    from tasks.models import Task


def notifications_of(user: User) -> models.QuerySet[Notification]:
    """``user``'s notifications, newest first, with what their sentences need."""
    return (
        Notification.objects.for_user(user)
        .select_related("task", "task__project", "actor")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    """The bell's number: one count on the (recipient) WHERE read_at IS NULL index."""
    return Notification.objects.for_user(user).unread().count()


def task_link(task: Task, *, absolute: bool = False) -> str:
    """The task's board with its dialog open."""
    path = reverse("board", args=[task.project_id]) + f"?task={task.pk}"
    return settings.SITE_URL + path if absolute else path


@dataclass(frozen=True)
class Item:
    pk: int
    kind: str
    sentence: str
    excerpt: str
    url: str
    created_at: datetime.datetime
    read: bool


def _sentence(notification: Notification) -> str:
    task = notification.task
    values = {
        "actor": notification.actor.display_name if notification.actor else _("Someone"),
        "task": f"{task.key} “{task.title}”",
    }
    data = notification.data or {}
    kind = notification.kind
    if kind == NotificationKind.ASSIGNED:
        return _("%(actor)s assigned %(task)s to you.") % values
    if kind == NotificationKind.COMMENTED:
        return _("%(actor)s commented on %(task)s.") % values
    if kind == NotificationKind.MOVED:
        return _("%(actor)s moved %(task)s to “%(column)s”.") % {
            **values,
            "column": data.get("column", ""),
        }
    if kind == NotificationKind.REVIEW_REQUESTED:
        return _("%(actor)s sent %(task)s to review.") % values
    if kind == NotificationKind.REVIEW_DECIDED:
        if data.get("decision") == ReviewDecision.APPROVE:
            return _("%(actor)s approved %(task)s with a score of %(score)s.") % {
                **values,
                "score": data.get("score"),
            }
        return _("%(actor)s requested changes to %(task)s.") % values
    if kind == NotificationKind.MENTIONED:
        if data.get("source") == "description":
            return _("%(actor)s mentioned you in the description of %(task)s.") % values
        return _("%(actor)s mentioned you in a comment on %(task)s.") % values
    due = {**values, "date": _due_label(task.due_on)}
    if kind == NotificationKind.DUE_SOON:
        return _("%(task)s is due tomorrow, %(date)s.") % due
    return _("%(task)s is overdue: it was due on %(date)s.") % due


def _due_label(day: datetime.date | None) -> str:
    from django.utils.formats import date_format

    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def notification_items(notifications: list[Notification], *, absolute: bool = False) -> list[Item]:
    """Display values in the active language (sentences are plain text, never HTML)."""
    return [
        Item(
            pk=notification.pk,
            kind=notification.kind,
            sentence=_sentence(notification),
            excerpt=(notification.data or {}).get("excerpt", ""),
            url=task_link(notification.task, absolute=absolute),
            created_at=notification.created_at,
            read=notification.read_at is not None,
        )
        for notification in notifications
    ]


@dataclass(frozen=True)
class Day:
    day: datetime.date
    items: list[Item]


def group_by_day(items: list[Item]) -> list[Day]:
    """Items (newest first) grouped by their day in the active time zone."""
    return [
        Day(day=day, items=list(group))
        for day, group in groupby(items, key=lambda item: timezone.localdate(item.created_at))
    ]


def channels_of(user: User) -> dict[str, str]:
    """The user's channel for every kind (the default where they chose none)."""
    chosen = dict(NotificationSetting.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, default) for kind, default in DEFAULT_CHANNELS.items()}


def is_watching(user: User, task: Task) -> bool:
    return Watch.objects.filter(task=task, user=user).exists()


@dataclass(frozen=True)
class Member:
    username: str
    name: str


def mentionable_members(task: Task, *, query: str = "", limit: int = 10) -> list[Member]:
    """Active members of the task's team whose username or name starts with ``query``."""
    memberships = (
        Membership.objects.active()
        .filter(team_id=task.project.team_id, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    query = query.strip().lstrip("@")
    if query:
        memberships = memberships.filter(
            models.Q(user__username__istartswith=query)
            | models.Q(user__full_name__istartswith=query)
            | models.Q(user__full_name__icontains=" " + query)
        )
    return [
        Member(username=membership.user.username, name=membership.user.display_name)
        for membership in memberships[:limit]
    ]
