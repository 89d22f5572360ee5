"""The notifications page, the bell, settings, watching and the mention endpoint."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Channel, Notification, NotificationKind, NotificationSetting, Watch
from tests.tasks.factories import make_task

pytestmark = pytest.mark.usefixtures("postgres_only")


def notify(user, task, *, count: int, kind=NotificationKind.ASSIGNED, actor=None, **fields):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            event_id=uuid.uuid4(),
            task=task,
            actor=actor,
            created_at=now - datetime.timedelta(hours=index * 7),
            **fields,
        )
        for index in range(count)
    )


@pytest.fixture
def task(project, mentor, intern):
    return make_task(project, mentor, title="Login <b>form</b>", assignee=intern)


def test_the_page_lists_the_users_notifications_grouped_by_day(client, intern, mentor, task):
    notify(intern, task, count=5, actor=mentor)
    notify(mentor, task, count=1)  # someone else's
    client.force_login(intern)
    response = client.get(reverse("notifications"))
    html = response.content.decode()
    assert html.count('class="notification notification-unread"') == 5
    assert html.count('class="notification-day"') >= 2  # 28 hours span two days
    assert "Login &lt;b&gt;form&lt;/b&gt;" in html
    assert "assigned WEB-1" in html


@pytest.mark.parametrize("count", [3, 40])
def test_the_page_costs_the_same_queries_at_any_size(
    client, intern, mentor, task, count, django_assert_num_queries
):
    notify(intern, task, count=count, actor=mentor)
    client.force_login(intern)
    # session, user, preferences-free middleware, count, page, unread count
    with django_assert_num_queries(5):
        response = client.get(reverse("notifications"))
    assert response.status_code == 200


def test_opening_marks_read_and_leads_to_the_task_dialog(client, intern, task):
    [notification] = notify(intern, task, count=1)
    client.force_login(intern)
    response = client.get(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == f"/projects/{task.project_id}/board/?task={task.pk}"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_one_and_all_read_update_the_bell(client, intern, task):
    first, *_rest = notify(intern, task, count=3)
    client.force_login(intern)
    bell = client.get(reverse("notifications_bell"), headers={"HX-Request": "true"})
    assert 'data-count="3"' in bell.content.decode()
    assert "<html" not in bell.content.decode()  # the partial for htmx

    response = client.post(
        reverse("notification_read", args=[first.pk]), headers={"HX-Request": "true"}
    )
    assert response["HX-Trigger"] == "notifications-changed"
    assert Notification.objects.filter(recipient=intern, read_at__isnull=True).count() == 2

    response = client.post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=intern, read_at__isnull=True).exists()
    bell = client.get(reverse("notifications_bell"), headers={"HX-Request": "true"})
    assert "data-count" not in bell.content.decode()


def test_the_bell_is_one_query(client, intern, task, django_assert_num_queries):
    notify(intern, task, count=4)
    client.force_login(intern)
    client.get(reverse("notifications_bell"))  # warm the session
    with django_assert_num_queries(3):  # session, user, the count
        client.get(reverse("notifications_bell"), headers={"HX-Request": "true"})


def test_the_header_links_to_the_bell_without_a_query(client, intern):
    client.force_login(intern)
    html = client.get(reverse("profile")).content.decode()
    assert 'class="bell"' in html
    assert f'hx-get="{reverse("notifications_bell")}"' in html
    assert reverse("notification_settings") in html  # the profile links to the settings


def test_settings_are_saved_per_kind(client, intern):
    client.force_login(intern)
    data = {kind: Channel.IN_APP for kind in NotificationKind.values}
    data[NotificationKind.MENTIONED] = Channel.OFF
    response = client.post(reverse("notification_settings"), data)
    assert response.status_code == 302
    assert (
        NotificationSetting.objects.get(user=intern, kind=NotificationKind.MENTIONED).channel
        == Channel.OFF
    )
    assert client.post(reverse("notification_settings"), {"assigned": "loud"}).status_code == 400


def test_any_member_can_watch_and_unwatch(client, bystander, task):
    client.force_login(bystander)
    url = reverse("task_watch", args=[task.pk])
    button = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-pressed="false"' in button
    response = client.post(url, {"watch": "1"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in response.content.decode()
    assert Watch.objects.filter(task=task, user=bystander).exists()
    client.post(url, {"watch": "0"})
    assert not Watch.objects.filter(task=task, user=bystander).exists()


def test_mention_candidates_are_the_teams_members(client, intern, mentor, outsider, task):
    client.force_login(intern)
    url = reverse("task_mentions", args=[task.pk])
    names = [row["username"] for row in client.get(url).json()["results"]]
    assert {"mentor", "intern"} <= set(names)
    assert "outsider" not in names
    assert [row["username"] for row in client.get(url, {"q": "@men"}).json()["results"]] == [
        "mentor"
    ]
    client.force_login(outsider)
    assert client.get(url).status_code == 404
