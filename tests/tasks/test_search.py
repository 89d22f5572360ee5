"""One search for the board and the API: task keys, and case-insensitive text in any script.

Run on SQLite (the default) and on PostgreSQL (``DATABASE_URL=postgres://…``):
both engines must find the same tasks for "экспорт", "Экспорт" and "ЭКСПОРТ".
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tasks.models import Task
from tasks.selectors import task_search
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import make_task

SPELLINGS = ["экспорт", "Экспорт", "ЭКСПОРТ", "эКсПоРт"]


@pytest.fixture
def russian_tasks(project, intern):
    """Four tasks that mention «экспорт» in different cases, one that does not."""
    make_task(project, intern, title="Экспорт отчёта в CSV")
    make_task(project, intern, title="Починить экспорт")
    make_task(project, intern, title="ЭКСПОРТ В PDF")
    make_task(project, intern, title="Форма", description="Кнопка «Экспорт» на странице")
    make_task(project, intern, title="Импорт пользователей")


def _expected(project):
    return set(
        Task.objects.filter(project=project)
        .exclude(title="Импорт пользователей")
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize("query", SPELLINGS)
def test_russian_search_ignores_case_in_the_selector(project, russian_tasks, query):
    found = set(task_search(Task.objects.all(), query).values_list("pk", flat=True))
    assert found == _expected(project)
    assert len(found) == 4


@pytest.mark.parametrize("query", SPELLINGS)
def test_russian_search_ignores_case_on_the_board(client, intern, project, russian_tasks, query):
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk]), {"q": query}).content.decode()
    assert body.count('class="task-card') == 4
    assert "Импорт пользователей" not in body


@pytest.mark.parametrize("query", SPELLINGS)
def test_russian_search_ignores_case_in_the_api(intern, project, russian_tasks, query):
    api = APIClient()
    api.force_login(intern)
    results = api.get(reverse("api-task-list"), {"search": query}).json()["results"]
    assert {row["id"] for row in results} == _expected(project)


def test_latin_search_still_ignores_case(project, intern):
    wanted = make_task(project, intern, title="Export to CSV")
    make_task(project, intern, title="Import")
    for query in ("export", "EXPORT", "eXpOrT"):
        assert list(task_search(Task.objects.all(), query)) == [wanted]


def test_a_task_key_finds_that_task_on_the_board_and_in_the_api(client, intern, project):
    tasks = [make_task(project, intern, title=f"Card {n}") for n in range(12)]
    twelfth = tasks[11]
    assert twelfth.number == 12
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk]), {"q": "WEB-12"}).content.decode()
    assert body.count('class="task-card') == 1
    assert f'id="task-{twelfth.pk}"' in body
    api = APIClient()
    api.force_login(intern)
    for query in ("WEB-12", "web-12", " WEB-12 "):
        results = api.get(reverse("api-task-list"), {"search": query}).json()["results"]
        assert [row["id"] for row in results] == [twelfth.pk], query


def test_a_task_key_names_its_project(intern, project, team):
    """``WEB-3`` is task 3 of project WEB, not task 3 of every project."""
    other = ProjectFactory(team=team, name="Mobile", key="MOB")
    web_three = [make_task(project, intern, title=f"W{n}") for n in range(3)][-1]
    [make_task(other, intern, title=f"M{n}") for n in range(3)]
    assert list(task_search(Task.objects.all(), "WEB-3")) == [web_three]
    assert task_search(Task.objects.all(), "3").count() == 2


def test_search_characters_are_not_wildcards(project, intern):
    make_task(project, intern, title="Plain title")
    percent = make_task(project, intern, title="100% done")
    assert list(task_search(Task.objects.all(), "%")) == [percent]
    assert list(task_search(Task.objects.all(), "_")) == []


def test_empty_search_keeps_everything(project, intern):
    make_task(project, intern, title="A")
    make_task(project, intern, title="B")
    assert task_search(Task.objects.all(), "   ").count() == 2
