"""In the browser: the bell shows the unread count, the page marks read, mentions autocomplete."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from notifications.models import Notification
from tests.notifications.test_views import notify
from tests.tasks.factories import make_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]

PASSWORD = "correct horse battery"


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture(autouse=True)
def _no_batching(settings):
    settings.NOTIFICATION_EMAIL_BATCH_SECONDS = 0


@pytest.fixture
def task(project, mentor, intern):
    return make_task(project, mentor, title="Bell task", assignee=intern)


def test_the_bell_counts_unread_and_the_page_marks_them_read(
    page, live_server, intern, mentor, task
):
    notify(intern, task, count=3, actor=mentor)  # and the assignment, made by the consumer
    assert Notification.objects.filter(recipient=intern).count() == 4
    log_in(page, live_server, intern)

    bell = page.locator("header .bell")
    expect(bell.locator(".bell-count")).to_have_attribute("data-count", "4")

    bell.click()
    page.wait_for_url(f"{live_server.url}{reverse('notifications')}")
    expect(page.locator(".notification-unread")).to_have_count(4)

    page.locator(".notification-unread").first.get_by_role("button", name="Mark read").click()
    expect(page.locator(".notification-unread")).to_have_count(3)
    # The list tells the bell (HX-Trigger), which asks for the new count at once.
    expect(bell.locator(".bell-count")).to_have_attribute("data-count", "3")

    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(bell.locator(".bell-count")).to_have_count(0)
    assert not Notification.objects.filter(recipient=intern, read_at__isnull=True).exists()


def test_watching_and_mentions_autocomplete_with_the_keyboard(
    page, live_server, intern, mentor, task
):
    log_in(page, live_server, intern)
    page.goto(f"{live_server.url}{reverse('task_detail', args=[task.pk])}")
    # The assignee follows the task (the consumer made them watch it); they can stop.
    watching = page.get_by_role("button", name="Watching")
    expect(watching).to_have_attribute("aria-pressed", "true")
    watching.click()
    expect(page.get_by_role("button", name="Watch", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    box = page.locator("textarea[name=body]")
    box.click()
    box.press_sequentially("Thanks @me")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    option = listbox.get_by_role("option").first
    expect(option).to_contain_text("@mentor")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value("Thanks @mentor ")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
