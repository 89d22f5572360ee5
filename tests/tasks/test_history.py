"""History lines say what changed and to whom, with names as they were then."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation

from tasks import services
from tasks.models import Activity, ActivityKind, Label
from tests.tasks.factories import column, make_task

fill_names = importlib.import_module("tasks.migrations.0002_activity_column_names").fill_names


def history(client, user, task) -> str:
    client.force_login(user)
    with translation.override("en"):
        response = client.get(reverse("task_detail", args=[task.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<ol class="activity">') :]


def test_assignment_names_the_assignee(client, project, intern, mentor):
    intern.full_name = "Иван Петров"
    intern.save()
    task = make_task(project, mentor)
    services.task_assign(task=task, by=mentor, assignee=intern)
    services.task_assign(task=task, by=mentor, assignee=None)
    text = history(client, mentor, task)
    assert "assigned to Иван Петров" in text
    assert "removed the assignee" in text


def test_edits_say_what_changed_and_to_what(client, project, intern):
    task = make_task(project, intern, title="Old")
    services.task_update(
        task=task,
        by=intern,
        version=task.version,
        title="Login form",
        due_on=datetime.date(2026, 12, 12),
        priority="high",
        description="Long text",
    )
    text = history(client, intern, task)
    assert "changed the due date to 12 Dec" in text
    assert "renamed the task to “Login form”" in text
    assert "changed the priority to High" in text
    assert "edited the description" in text
    assert "Long text" not in text  # descriptions are not copied into the history


def test_labels_are_named(client, project, intern):
    bug = Label.objects.create(project=project, name="bug")
    ui = Label.objects.create(project=project, name="ui")
    task = make_task(project, intern)
    task = services.task_set_labels(task=task, by=intern, labels=[bug])
    services.task_set_labels(task=task, by=intern, labels=[ui])
    text = history(client, intern, task)
    assert "added the label bug" in text
    assert "added the label ui; removed the label bug" in text


def test_old_moves_keep_the_column_name_they_had(client, project, intern):
    task = make_task(project, intern)
    target = column(project, "In progress")
    services.task_move(task=task, by=intern, column=target, position=None, version=task.version)
    target.name = "Doing"
    target.save()
    activity = Activity.objects.get(task=task, kind=ActivityKind.MOVED)
    assert (activity.from_column_name, activity.to_column_name) == ("To do", "In progress")
    text = history(client, intern, task)
    assert "moved from To do to In progress" in text
    assert "Doing" not in text


def test_moves_still_read_after_the_column_is_deleted(client, project, intern):
    task = make_task(project, intern)
    target = column(project, "In progress")
    services.task_move(task=task, by=intern, column=target, position=None, version=task.version)
    Activity.objects.filter(task=task).update(from_column=None)
    assert "moved from To do to In progress" in history(client, intern, task)


@pytest.mark.django_db
def test_data_migration_fills_old_rows_from_current_names(project, intern, mentor):
    mentor.full_name = "Анна Смирнова"
    mentor.save()
    task = make_task(project, intern)
    services.task_move(
        task=task,
        by=intern,
        column=column(project, "In progress"),
        position=None,
        version=task.version,
    )
    services.task_assign(task=task, by=intern, assignee=mentor)
    # Rows as they were before the fields existed.
    Activity.objects.filter(task=task).update(from_column_name="", to_column_name="")
    assigned = Activity.objects.get(task=task, kind=ActivityKind.ASSIGNED)
    assigned.data = {"assignee": mentor.pk}
    assigned.save()

    fill_names(django_apps, None)

    moved = Activity.objects.get(task=task, kind=ActivityKind.MOVED)
    assert (moved.from_column_name, moved.to_column_name) == ("To do", "In progress")
    assigned.refresh_from_db()
    assert assigned.data == {"assignee": mentor.pk, "assignee_name": "Анна Смирнова"}


def test_lines_show_time_actor_and_deleted_users_as_the_filters_did(client, project, intern):
    """The dialog's lines are precomputed (``history.history_lines``): the same local time,
    short format and "deleted user" the template's ``|date`` and ``|default`` gave."""
    task = make_task(project, intern)
    at = datetime.datetime(2026, 3, 5, 21, 30, tzinfo=datetime.UTC)
    Activity.objects.filter(task=task).update(created_at=at, actor=None)
    intern.time_zone = "Asia/Vladivostok"  # UTC+10: the 6th there
    intern.preferred_language = "ru"
    intern.save()
    client.force_login(intern)
    response = client.get(reverse("task_detail", args=[task.pk]))
    html = response.content.decode()
    html = html[html.index('<ol class="activity">') :]
    assert '<time datetime="2026-03-06T07:30:00+10:00">06.03.2026 07:30</time>' in html
    assert "· удалённый пользователь ·" in html
