"""Notification e-mails: batched per recipient, sent once, escaped, in the recipient's zone."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import OutgoingEmail
from accounts.services import outgoing_email_send, outgoing_email_sweep
from notifications.models import Notification
from notifications.services import EMAIL_KIND
from tasks import services as tasks_services
from tests.tasks.factories import make_task

pytestmark = pytest.mark.usefixtures("postgres_only")

START = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)


def test_notifications_within_the_window_go_out_as_one_email(
    committed, settings, project, mentor, intern
):
    settings.NOTIFICATION_EMAIL_BATCH_SECONDS = 120
    intern.time_zone = "Asia/Tokyo"
    intern.save()
    with time_machine.travel(START, tick=False):
        with committed():
            task = make_task(project, mentor, title="<img src=x onerror=alert(1)>", assignee=intern)
        with committed():
            tasks_services.comment_create(task=task, by=mentor, body="@intern have a look")
    # Queued with a countdown: nothing is due yet (in-process, the message ran at once).
    assert mail.outbox == []
    [email] = OutgoingEmail.objects.filter(kind=EMAIL_KIND)
    assert Notification.objects.filter(email=email).count() == 2

    # Past the window, a third notification opens a new batch.
    with time_machine.travel(START + datetime.timedelta(minutes=3), tick=False):
        with committed():
            tasks_services.comment_create(task=task, by=mentor, body="@intern ping")
        assert outgoing_email_send(email_id=email.pk).status == OutgoingEmail.Status.SENT
        assert outgoing_email_send(email_id=email.pk) is None  # never twice
    assert OutgoingEmail.objects.filter(kind=EMAIL_KIND).count() == 2
    [message] = mail.outbox
    assert message.to == [intern.email]
    assert "2 new notifications" in message.subject
    html = message.alternatives[0][0]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x onerror=alert(1)>" in message.body  # plain text stays text
    # 09:00 UTC is 18:00 in Tokyo: times are the recipient's.
    assert "6 p.m." in message.body
    assert "http://testserver/projects/" in message.body
    assert f"?task={task.pk}" in message.body

    # The sweep sends the second batch once it is due.
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        due = outgoing_email_sweep()
        assert len(due) == 1
        outgoing_email_send(email_id=due[0])
    assert len(mail.outbox) == 2


def test_no_email_for_a_recipient_without_an_address(committed, project, mentor, intern):
    intern.email = ""
    intern.save()
    with committed():
        make_task(project, mentor, assignee=intern)
    assert Notification.objects.get().email is None
    assert mail.outbox == []
