"""The archive: archived tasks listed at /tasks/?archived=1, restored from there (issue 11, 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Column
from tasks import services
from tasks.models import Task
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task
from tests.tasks.test_task_list import client_for, keys

pytestmark = pytest.mark.django_db

ARCHIVE = "/tasks/?archived=1"


def archive(task, by) -> Task:
    return services.task_set_archived(task=task, by=by, archived=True)


def test_archive_lists_archived_tasks_only(project, intern):
    gone = archive(make_task(project, intern, title="Gone"), intern)
    live = make_task(project, intern, title="Live")
    client = client_for(intern)
    assert keys(client.get(ARCHIVE).content.decode()) == [gone.key]
    assert keys(client.get("/tasks/").content.decode()) == [live.key]


def test_archive_keeps_the_filters_and_switches_views_with_them(project, intern, team):
    other = ProjectFactory(team=team, key="OTH")
    mine = archive(make_task(project, intern, title="Login page"), intern)
    archive(make_task(project, intern, title="Logout"), intern)
    archive(make_task(other, intern, title="Login elsewhere"), intern)
    html = client_for(intern).get(f"{ARCHIVE}&project={project.pk}&q=login").content.decode()
    assert keys(html) == [mine.key]
    # The filter form sends archived=1 again; the switch keeps the filters.
    assert '<input type="hidden" name="archived" value="1">' in html
    assert f'href="/tasks/?q=login&amp;project={project.pk}"' in html
    assert 'aria-current="page">Archived</a>' in html


def test_intern_restores_a_task_from_the_archive(project, intern):
    task = archive(make_task(project, intern, title="Back again"), intern)
    client = client_for(intern)
    html = client.get(ARCHIVE).content.decode()
    restore_url = reverse("task_archive", args=[task.pk])
    assert f'formaction="{restore_url}"' in html
    assert '<input type="hidden" name="archived" value="0">' in html

    response = client.post(restore_url, {"archived": "0", "next": ARCHIVE}, follow=True)
    assert response.redirect_chain[-1][0] == ARCHIVE
    assert "Task restored." in response.content.decode()
    assert keys(response.content.decode()) == []
    task.refresh_from_db()
    assert not task.archived
    assert task.rank is not None  # back on the board, at the end of its column
    assert task.column == column(project, "To do")


def test_restore_over_the_wip_limit_is_refused_with_the_reason(project, intern):
    task = archive(make_task(project, intern, title="Late", column_name="In progress"), intern)
    make_task(project, intern, title="Busy", column_name="In progress")
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    response = client_for(intern).post(
        reverse("task_archive", args=[task.pk]), {"archived": "0", "next": ARCHIVE}, follow=True
    )
    assert "WIP limit" in response.content.decode()
    task.refresh_from_db()
    assert task.archived


def test_archived_project_shows_its_archive_read_only(project, intern):
    task = archive(make_task(project, intern, title="Frozen"), intern)
    project.archived = True
    project.save(update_fields=["archived"])
    html = client_for(intern).get(ARCHIVE).content.decode()
    assert keys(html) == [task.key]
    assert "formaction=" not in html
    assert "read-only" in html


def test_archive_of_another_team_is_not_shown(project, intern, other_team, outsider):
    archive(make_task(project, intern, title="Ours"), intern)
    theirs = ProjectFactory(team=other_team, key="OTH")
    archive(make_task(theirs, outsider, title="Theirs"), outsider)
    assert keys(client_for(outsider).get(ARCHIVE).content.decode()) == ["OTH-1"]


def test_board_links_to_its_archive(project, intern):
    html = client_for(intern).get(reverse("board", args=[project.pk])).content.decode()
    assert f'href="/tasks/?project={project.pk}&amp;archived=1"' in html


def test_history_says_archived_and_restored_not_deleted(project, intern):
    task = archive(make_task(project, intern, title="Twice"), intern)
    services.task_set_archived(task=task, by=intern, archived=False)
    client = client_for(intern)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    history = html[html.index('class="activity"') :]
    assert "archived" in history
    assert "restored" in history
    assert "deleted" not in history.replace("deleted user", "")
    intern.preferred_language = "ru"
    intern.save(update_fields=["preferred_language"])
    html = client.get(
        reverse("task_detail", args=[task.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    history = html[html.index('class="activity"') :]
    assert "архивирована" in history
    assert "восстановлена" in history
    assert "удал" not in history


@pytest.mark.parametrize("size", [5, 60])
def test_archive_queries_do_not_grow_with_the_data(
    project, intern, team, size, django_assert_num_queries
):
    other = ProjectFactory(team=team, key="OTH")
    for number in range(size):
        archive(make_task(project if number % 2 else other, intern, title=f"T{number}"), intern)
    client = client_for(intern)
    # session, user, projects, members, count, page of tasks, role in the team (per
    # project of the team: whether a restore is allowed)
    with django_assert_num_queries(8):
        response = client.get(ARCHIVE)
    assert len(keys(response.content.decode())) == min(size, 50)


def test_board_archived_filter_opens_its_archive_with_the_filters(project, intern):
    response = client_for(intern).get(
        reverse("board", args=[project.pk]), {"archived": "1", "q": "login", "priority": "high"}
    )
    assert response.status_code == 302
    assert response.url == f"/tasks/?q=login&priority=high&project={project.pk}&archived=1"


def test_board_archived_filter_of_another_team_is_404(project, outsider):
    response = client_for(outsider).get(reverse("board", args=[project.pk]), {"archived": "1"})
    assert response.status_code == 404
