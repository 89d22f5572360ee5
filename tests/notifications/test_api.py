"""GET /api/v1/notifications/, mark one read, mark all read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.notifications.test_views import notify
from tests.tasks.factories import make_task

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.fixture
def task(project, mentor, intern):
    return make_task(project, mentor, assignee=intern)


def test_the_list_is_the_users_own_newest_first(api_as, intern, mentor, task):
    mine = notify(intern, task, count=3, actor=mentor)
    notify(mentor, task, count=2)
    body = api_as("intern").get(reverse("api-notifications")).json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [n.pk for n in mine]  # newest first
    first = body["results"][0]
    assert first["kind"] == "assigned"
    assert first["task"] == task.pk
    assert first["task_key"] == "WEB-1"
    assert first["read"] is False
    assert first["actor"] == mentor.pk


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_at_any_size(
    api_as, intern, mentor, task, count, django_assert_num_queries
):
    notify(intern, task, count=count, actor=mentor)
    client = api_as("intern")
    with django_assert_num_queries(4):  # session, user, count, page
        assert client.get(reverse("api-notifications")).status_code == 200


def test_mark_one_and_all_read(api_as, intern, mentor, task):
    first, _second, _third = notify(intern, task, count=3)
    [theirs] = notify(mentor, task, count=1)
    client = api_as("intern")
    response = client.post(reverse("api-notification-read", args=[first.pk]))
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert client.post(reverse("api-notification-read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api-notifications-read-all")).json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=intern, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
