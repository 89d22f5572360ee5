"""Each task rule has one definition that every edge uses (issue 8).

The review permission (service, page and API alike), the "dropped above card X"
translation (service, so the API has it too), label create-and-attach (one
service, one transaction), the overdue rule (``Task.is_overdue``) and the 409
body, which config builds without knowing what a task is.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.errors import DomainError
from projects.models import Project
from tasks import services
from tasks.models import Activity, ActivityKind, Label, Review
from tests.tasks.factories import column, make_task

DOMAIN_APPS = {"accounts", "teams", "projects", "integrations", "tasks", "analytics"}


def _titles(project, name: str) -> list[str]:
    return list(
        column(project, name)
        .tasks.filter(archived=False)
        .order_by("rank")
        .values_list("title", flat=True)
    )


# --- Review: one permission, the service included --------------------------------------------


def test_review_service_refuses_a_task_of_an_archived_project(project, intern, mentor):
    task = make_task(project, intern, title="Late", column_name="Review")
    Project.objects.filter(pk=project.pk).update(archived=True)
    task.project.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.review_submit(task=task, by=mentor, decision="approve", score=5)
    assert refused.value.code == "forbidden"
    assert not Review.objects.exists()
    assert _titles(project, "Review") == ["Late"]


@pytest.mark.parametrize("archived", [False, True])
def test_page_api_and_service_agree_on_who_may_review(
    client, api_as, project, intern, mentor, archived
):
    task = make_task(project, intern, title="Done?", column_name="Review")
    Project.objects.filter(pk=project.pk).update(archived=archived)
    client.force_login(mentor)
    page = client.post(
        reverse("review_submit", args=[task.pk]), {"decision": "approve", "score": "4"}
    )
    api = api_as("mentor").post(
        f"/api/v1/tasks/{task.pk}/review/", {"decision": "approve", "score": 4}, format="json"
    )
    if archived:
        assert (page.status_code, api.status_code) == (403, 403)
        assert not Review.objects.exists()
    else:
        assert page.status_code == 302  # saved, back to the task
        assert api.status_code == 400  # no longer in review: the service's own refusal
        assert Review.objects.count() == 1


# --- Moves: "just above card X" is the service's ----------------------------------------------


def test_move_before_a_card_counts_the_place_in_the_whole_column(project, intern):
    make_task(project, intern, title="A", column_name="In progress")
    make_task(project, intern, title="B", column_name="In progress")
    c = make_task(project, intern, title="C", column_name="In progress")
    moving = make_task(project, intern, title="M")
    services.task_move(
        task=moving,
        by=intern,
        column=column(project, "In progress"),
        position=0,
        before=c.pk,
        version=moving.version,
    )
    assert _titles(project, "In progress") == ["A", "B", "M", "C"]


def test_move_before_a_card_of_another_column_falls_back_to_the_position(project, intern):
    make_task(project, intern, title="A", column_name="In progress")
    make_task(project, intern, title="B", column_name="In progress")
    elsewhere = make_task(project, intern, title="Elsewhere", column_name="Review")
    moving = make_task(project, intern, title="M")
    services.task_move(
        task=moving,
        by=intern,
        column=column(project, "In progress"),
        position=1,
        before=elsewhere.pk,
        version=moving.version,
    )
    assert _titles(project, "In progress") == ["A", "M", "B"]


def test_api_move_accepts_before(api_as, project, intern):
    make_task(project, intern, title="A", column_name="In progress")
    b = make_task(project, intern, title="B", column_name="In progress")
    moving = make_task(project, intern, title="M")
    response = api_as("intern").post(
        f"/api/v1/tasks/{moving.pk}/move/",
        {
            "column": column(project, "In progress").pk,
            "position": 0,
            "before": b.pk,
            "version": moving.version,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert _titles(project, "In progress") == ["A", "M", "B"]


def test_schema_documents_the_optional_before_of_a_move(client):
    schema = client.get("/api/schema/?format=json").json()
    move = schema["components"]["schemas"]["MoveRequest"]
    assert "before" in move["properties"]
    assert "before" not in move.get("required", [])
    assert move["properties"]["before"]["description"]


# --- Labels: create and attach in one use-case ----------------------------------------------


def test_task_label_add_creates_the_label_and_puts_it_on_the_task(project, intern):
    task = make_task(project, intern, title="Bug")
    label = services.task_label_add(task=task, by=intern, name="bug", color="red")
    assert list(task.labels.all()) == [label]
    assert Activity.objects.filter(task=task, kind=ActivityKind.LABELS).count() == 1


def test_task_label_add_with_a_taken_name_writes_nothing(project, intern):
    task = make_task(project, intern, title="Bug")
    services.label_create(project=project, by=intern, name="bug")
    with pytest.raises(DomainError):
        services.task_label_add(task=task, by=intern, name="BUG")
    assert Label.objects.count() == 1
    assert not task.labels.exists()


# --- Overdue: Task.is_overdue is the rule every page shows --------------------------------


def test_pages_mark_overdue_by_the_model_rule(client, project, intern):
    yesterday = timezone.localdate() - datetime.timedelta(days=2)
    late = make_task(project, intern, title="Late", due_on=yesterday, assignee=intern)
    archived = make_task(project, intern, title="Shelved", due_on=yesterday)
    archived = services.task_set_archived(task=archived, by=intern, archived=True)
    assert late.is_overdue()
    assert not archived.is_overdue()
    client.force_login(intern)
    board = client.get(reverse("board", args=[project.pk])).content.decode()
    assert board.count("due-overdue") == 1
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "due-overdue" in dashboard
    page = client.get(reverse("task_detail", args=[archived.pk])).content.decode()
    assert "due-overdue" not in page


# --- Boundaries: config builds the 409 without importing a domain app ----------------------


def _runtime_imports(path: Path) -> set[str]:
    """Top-level packages imported by a module outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


@pytest.mark.parametrize("module", ["api.py", "errors.py", "htmx.py"])
def test_shared_api_and_view_helpers_import_no_domain_app(module):
    assert not _runtime_imports(Path(settings.BASE_DIR) / "config" / module) & DOMAIN_APPS


def test_api_conflict_still_answers_the_current_task(api_as, project, intern, mentor):
    task = make_task(project, intern, title="Raced")
    services.task_move(
        task=task, by=mentor, column=column(project, "In progress"), position=0, version=1
    )
    response = api_as("intern").patch(
        f"/api/v1/tasks/{task.pk}/", {"title": "Mine", "version": 1}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current"]["id"] == task.pk
    assert body["current"]["column"] == column(project, "In progress").pk
    assert body["current"]["version"] == 2
