"""The due-date job: in each assignee's time zone, from the morning on, once per task and day."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification, NotificationKind
from notifications.services import due_notices_send
from notifications.tasks import notifications_due_task
from teams.models import Role
from tests.tasks.factories import make_task
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.usefixtures("postgres_only")

DUE = datetime.date(2026, 10, 6)


def utc(day: int, clock: str) -> datetime.datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.datetime(2026, 10, day, hour, minute, tzinfo=datetime.UTC)


def intern_in(team, zone: str, username: str):
    return MembershipFactory(
        team=team, role=Role.INTERN, user__username=username, user__time_zone=zone
    ).user


def notices() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("recipient__username", "kind"))


def test_due_tomorrow_and_overdue_follow_each_assignees_time_zone(
    committed, settings, team, project, mentor
):
    settings.NOTIFICATION_DUE_HOUR = 8
    tokyo = intern_in(team, "Asia/Tokyo", "tokyo")  # UTC+9
    new_york = intern_in(team, "America/New_York", "newyork")  # UTC-4 in October
    with time_machine.travel(utc(1, "12:00"), tick=False), committed():
        make_task(project, mentor, title="Tokyo's", assignee=tokyo, due_on=DUE)
        make_task(project, mentor, title="New York's", assignee=new_york, due_on=DUE)
        make_task(project, mentor, title="Done", assignee=tokyo, due_on=DUE, column_name="Done")
    Notification.objects.all().delete()  # the assignment notices
    mail.outbox.clear()

    # 23:30 UTC on the 4th: 08:30 on the 5th in Tokyo (due tomorrow), 19:30 on the 4th in New York.
    with time_machine.travel(utc(4, "23:30"), tick=False), committed():
        assert due_notices_send() == 1
        assert due_notices_send() == 0  # once per task and day
        notifications_due_task.delay()  # the beat's task: idempotent too
    assert notices() == {("tokyo", NotificationKind.DUE_SOON)}
    assert [message.to for message in mail.outbox] == [[tokyo.email]]

    # 07:59 in New York on the 5th: not yet; 08:00: due tomorrow.
    with time_machine.travel(utc(5, "11:59"), tick=False):
        assert due_notices_send() == 0
    with time_machine.travel(utc(5, "12:00"), tick=False):
        assert due_notices_send() == 1
    assert ("newyork", NotificationKind.DUE_SOON) in notices()

    # The 7th begins in Tokyo at 15:00 UTC on the 6th; notices wait for 08:00 there.
    with time_machine.travel(utc(6, "22:59"), tick=False):
        assert due_notices_send() == 0
    with time_machine.travel(utc(6, "23:00"), tick=False):
        assert due_notices_send() == 1
        assert due_notices_send() == 0
    assert notices() == {
        ("tokyo", NotificationKind.DUE_SOON),
        ("newyork", NotificationKind.DUE_SOON),
        ("tokyo", NotificationKind.OVERDUE),
    }
    # No actor: the sentence names the task alone.
    overdue = Notification.objects.get(kind=NotificationKind.OVERDUE)
    assert overdue.actor is None
