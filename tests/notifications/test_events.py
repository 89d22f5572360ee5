"""Each event produces exactly the expected notifications and e-mails: recipients, kind, once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import OutgoingEmail
from integrations.models import Event
from notifications.models import Channel, Notification, NotificationKind, NotificationSetting, Watch
from notifications.services import EMAIL_KIND, event_consume
from tasks import services as tasks_services
from tasks.models import ReviewDecision
from tests.tasks.factories import column, make_task

pytestmark = pytest.mark.usefixtures("postgres_only")


def notified(kind: str | None = None) -> set[tuple[str, str]]:
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return {(n.recipient.username, n.kind) for n in rows.select_related("recipient")}


def mailed() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_assigning_a_task_notifies_the_assignee_once_never_the_actor(
    committed, project, mentor, intern
):
    with committed():
        task = make_task(project, mentor, title="Checkout page", assignee=intern)
    assert notified() == {("intern", NotificationKind.ASSIGNED)}
    assert mailed() == [intern.email]
    assert "WEB-1" in mail.outbox[0].subject
    assert Watch.objects.filter(task=task).count() == 2  # reporter and assignee

    with committed():
        tasks_services.task_assign(task=task, by=intern, assignee=intern)  # herself: nobody
        tasks_services.task_assign(task=task, by=intern, assignee=mentor)
    assert notified() == {
        ("intern", NotificationKind.ASSIGNED),
        ("mentor", NotificationKind.ASSIGNED),
    }
    assert mailed() == sorted([intern.email, mentor.email])


def test_a_comment_notifies_watchers_and_assignee_but_not_its_author(
    committed, project, mentor, intern, bystander, second_mentor
):
    with committed():
        task = make_task(project, intern, assignee=intern)
        Watch.objects.create(task=task, user=second_mentor)
        tasks_services.comment_create(task=task, by=mentor, body="Looks good so far")
    assert notified(NotificationKind.COMMENTED) == {
        ("intern", NotificationKind.COMMENTED),
        ("mentor2", NotificationKind.COMMENTED),
    }
    # Commenting made the mentor a watcher: the intern's reply reaches them.
    with committed():
        tasks_services.comment_create(task=task, by=intern, body="Thanks!")
    assert set(
        Notification.objects.filter(kind=NotificationKind.COMMENTED).values_list(
            "recipient__username", flat=True
        )
    ) == {"intern", "mentor2", "mentor"}
    assert not Notification.objects.filter(recipient=bystander).exists()


def test_sending_to_review_notifies_the_teams_mentors(
    committed, project, mentor, second_mentor, intern, bystander, other_mentor
):
    with committed():
        task = make_task(project, intern, assignee=intern, column_name="In progress")
        Watch.objects.create(task=task, user=bystander)
        tasks_services.task_move(
            task=task, by=intern, column=column(project, "Review"), position=None, version=1
        )
    assert notified() == {
        ("mentor", NotificationKind.REVIEW_REQUESTED),
        ("mentor2", NotificationKind.REVIEW_REQUESTED),
        ("bystander", NotificationKind.MOVED),
    }
    assert mailed() == sorted([mentor.email, second_mentor.email])  # moves: in the app only


def test_a_review_decision_reaches_the_intern_in_their_language(committed, project, mentor, intern):
    intern.preferred_language = "ru"
    intern.save()
    with committed():
        task = make_task(project, intern, assignee=intern, column_name="Review")
    mail.outbox.clear()
    Notification.objects.all().delete()
    with committed():
        tasks_services.review_submit(
            task=task,
            by=mentor,
            decision=ReviewDecision.REQUEST_CHANGES,
            comment="Please add tests <script>x</script>",
        )
    assert notified() == {("intern", NotificationKind.REVIEW_DECIDED)}
    [message] = mail.outbox
    assert message.to == [intern.email]
    html = message.alternatives[0][0]
    assert '<html lang="ru">' in html
    assert "Please add tests" in message.body
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_an_approval_carries_the_score(committed, project, mentor, intern):
    with committed():
        task = make_task(project, intern, assignee=intern, column_name="Review")
        tasks_services.review_submit(task=task, by=mentor, decision=ReviewDecision.APPROVE, score=4)
    [notification] = Notification.objects.filter(kind=NotificationKind.REVIEW_DECIDED)
    assert notification.data["score"] == 4
    assert "score of 4" in mail.outbox[-1].body


def test_mentions_notify_team_members_only_and_replace_the_comment_notice(
    committed, project, mentor, intern, bystander, outsider
):
    with committed():
        task = make_task(project, intern, assignee=intern)
        tasks_services.comment_create(
            task=task,
            by=mentor,
            body="@Bystander and @outsider, see @intern. Mail mentor@example.com `@mentor2`",
        )
    assert notified() == {
        ("bystander", NotificationKind.MENTIONED),
        ("intern", NotificationKind.MENTIONED),
    }
    assert Watch.objects.filter(task=task, user=bystander).exists()
    assert not Watch.objects.filter(task=task, user=outsider).exists()


def test_a_description_mention_is_told_once_however_often_it_is_edited(
    committed, project, mentor, bystander
):
    with committed():
        task = make_task(project, mentor, description="For @bystander")
    with committed():
        task = tasks_services.task_update(
            task=task, by=mentor, version=task.version, description="For @bystander, urgent"
        )
    assert notified() == {("bystander", NotificationKind.MENTIONED)}
    assert mailed() == [bystander.email]


def test_a_redelivered_event_adds_nothing(committed, project, mentor, intern):
    with committed():
        make_task(project, mentor, assignee=intern)
    event = Event.objects.get(type="task.created")
    assert event_consume(event_id=event.pk) == []
    assert Notification.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind=EMAIL_KIND).count() == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_notifies_nobody(committed, project, mentor, intern):
    with committed():
        task = make_task(project, intern, assignee=intern)
    mail.outbox.clear()
    Notification.objects.all().delete()

    def comment_then_fail():
        with transaction.atomic():
            tasks_services.comment_create(task=task, by=mentor, body="@intern hello")
            raise RuntimeError("the request failed after the comment")

    with committed(), pytest.raises(RuntimeError):
        comment_then_fail()
    assert not Notification.objects.exists()
    assert not OutgoingEmail.objects.filter(kind=EMAIL_KIND).exists()
    assert mail.outbox == []


def test_settings_choose_the_channel(committed, project, mentor, intern, bystander):
    NotificationSetting.objects.create(
        user=intern, kind=NotificationKind.ASSIGNED, channel=Channel.IN_APP
    )
    NotificationSetting.objects.create(
        user=bystander, kind=NotificationKind.ASSIGNED, channel=Channel.OFF
    )
    with committed():
        make_task(project, mentor, assignee=intern)
        make_task(project, mentor, assignee=bystander)
    assert notified() == {("intern", NotificationKind.ASSIGNED)}
    assert mail.outbox == []


def test_a_member_who_left_hears_nothing(committed, project, mentor, intern):
    import datetime

    with committed():
        task = make_task(project, intern, assignee=intern)
    intern.memberships.update(
        joined_on=datetime.date(2025, 9, 1), left_on=datetime.date(2026, 1, 1)
    )
    Notification.objects.all().delete()
    with committed():
        tasks_services.comment_create(task=task, by=mentor, body="Still there?")
    assert not Notification.objects.exists()


def test_back_dated_history_is_not_news(committed, project, mentor, intern):
    import datetime

    from django.utils import timezone

    long_ago = timezone.now() - datetime.timedelta(days=3)
    with committed():
        task = make_task(project, mentor, assignee=intern, at=long_ago)
        tasks_services.comment_create(task=task, by=mentor, body="@intern old", at=long_ago)
    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert Watch.objects.filter(task=task, user=intern).exists()  # still follows it
