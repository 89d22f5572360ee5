"""The full project export (JSON) and its import: the round trip, people matched or not,
bad documents, the two commands, the download page and the API."""

from __future__ import annotations

import copy
import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from config.errors import DomainError
from integrations.models import Event
from projects.models import Project
from tasks import services, transfer
from tasks.history import activity_summary
from tasks.models import Activity, ChecklistItem, Comment, Review, Task
from teams.models import Role
from tests.tasks.factories import column, make_task
from tests.teams.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]


def _summary(activity: Activity) -> str:
    return activity_summary(
        kind=activity.kind,
        data=activity.data,
        from_column_name=activity.from_column_name,
        to_column_name=activity.to_column_name,
        kind_label=activity.kind,
    )


@pytest.fixture
def busy_project(project, mentor, intern):
    """A project with one of everything an export carries."""
    mentor.email, mentor.full_name = "mentor@example.com", "Мария Иванова"
    mentor.save()
    intern.email, intern.full_name = "intern@example.com", "Иван Петров"
    intern.save()
    services.label_create(project=project, by=mentor, name="фронт", color="blue")
    label = services.label_create(project=project, by=mentor, name="API", color="red")
    first = make_task(
        project,
        intern,
        title="Сверстать шапку",
        description="**Макет** в Figma",
        labels=[label],
        estimate=3,
        due_on=datetime.date(2026, 3, 5),
        priority="high",
    )
    first = services.task_assign(task=first, by=mentor, assignee=intern)
    services.comment_create(task=first, by=intern, body="Начинаю")
    services.checklist_add(task=first, by=intern, text="Шапка")
    item = services.checklist_add(task=first, by=intern, text="Подвал")
    services.checklist_toggle(item=item, by=intern, done=True)
    for name in ("In progress", "Review"):
        first.refresh_from_db()
        first = services.task_move(
            task=first,
            by=intern,
            column=column(project, name),
            position=None,
            version=first.version,
        )
    services.review_submit(task=first, by=mentor, decision="request_changes", comment="Отступы")
    first.refresh_from_db()
    first = services.task_move(
        task=first,
        by=intern,
        column=column(project, "Review"),
        position=None,
        version=first.version,
    )
    services.review_submit(task=first, by=mentor, decision="approve", score=5)
    first.refresh_from_db()
    services.task_update(task=first, by=mentor, version=first.version, title="Сверстать шапку!")
    second = make_task(project, mentor, title="Старое", column_name="Backlog")
    services.task_set_archived(task=second, by=mentor, archived=True)
    make_task(project, intern, title="Ещё одна", column_name="To do")
    return project


def comparable(document: dict) -> dict:
    document = copy.deepcopy(document)
    document.pop("exported_at")
    return document


def ids_in(value) -> list[str]:
    if isinstance(value, dict):
        return [
            *(key for key in value if key == "id" or key.endswith("_id")),
            *(found for item in value.values() for found in ids_in(item)),
        ]
    if isinstance(value, list):
        return [found for item in value for found in ids_in(item)]
    return []


def test_round_trip_gives_the_same_document(busy_project, other_team, mentor, intern):
    for user, role in ((mentor, Role.MENTOR), (intern, Role.INTERN)):
        MembershipFactory(team=other_team, user=user, role=role)
    exported = transfer.project_export(project=busy_project)
    assert exported["format"] == "internboard-project"
    assert exported["version"] == 1
    assert [user["username"] for user in exported["users"]] == ["intern", "mentor"]
    assert len(exported["tasks"]) == 3
    assert not ids_in(exported)  # nothing of this database's ids travels
    result = transfer.project_import(
        data=transfer.project_export_json(project=busy_project), team=other_team
    )
    assert (result.tasks, result.comments, result.checklist_items, result.reviews) == (3, 1, 2, 2)
    assert result.unknown_users == []
    again = transfer.project_export(project=result.project)
    assert comparable(again) == comparable(exported)
    assert result.project.team == other_team
    assert result.project.key == busy_project.key
    # Every imported task told the event log, so analytics and webhooks hear of it.
    assert Event.objects.filter(project=result.project, type="task.created").count() == 3


def test_imported_history_reads_as_before(busy_project, other_team, mentor, intern):
    for user in (mentor, intern):
        MembershipFactory(team=other_team, user=user)
    result = transfer.project_import(
        data=transfer.project_export(project=busy_project), team=other_team
    )
    task = Task.objects.get(project=result.project, number=1)
    original = Task.objects.get(project=busy_project, number=1)
    assert task.assignee == intern
    assert task.column.name == "Done"
    assert (task.created_at, task.completed_at) == (original.created_at, original.completed_at)

    def lines(of):
        return [
            (a.actor_id, a.kind, a.from_column_name, a.to_column_name, _summary(a))
            for a in Activity.objects.filter(task=of).order_by("created_at", "pk")
        ]

    assert lines(task) == lines(original)
    moves = Activity.objects.filter(task=task, kind="moved")
    assert all(move.to_column.project_id == result.project.pk for move in moves)
    assert Review.objects.filter(task=task, decision="approve", score=5).exists()


def test_unknown_people_leave_tasks_unassigned_and_names_in_history(busy_project, other_team):
    document = transfer.project_export(project=busy_project)
    for person in document["users"]:
        person["username"] = "elsewhere-" + person["username"]
        person["email"] = "elsewhere-" + person["email"]
    text = (
        json.dumps(document)
        .replace('"intern"', '"elsewhere-intern"')
        .replace('"mentor"', '"elsewhere-mentor"')
    )
    result = transfer.project_import(data=text, team=other_team)
    assert result.unknown_users == ["elsewhere-intern", "elsewhere-mentor"]
    assert "elsewhere-intern" in result.summary()
    task = Task.objects.get(project=result.project, number=1)
    assert (task.assignee, task.reporter) == (None, None)
    assert Comment.objects.get(task=task).author is None
    assigned = Activity.objects.get(task=task, kind="assigned")
    assert _summary(assigned) == "assigned to Иван Петров"


def test_a_member_of_another_team_is_not_assigned_here(busy_project, other_team, intern):
    result = transfer.project_import(
        data=transfer.project_export(project=busy_project), team=other_team
    )
    assert result.unassigned == 1  # the intern is no member of other_team
    assert Task.objects.get(project=result.project, number=1).assignee is None
    assert Task.objects.get(project=result.project, number=1).reporter == intern


def test_key_clash_is_refused_unless_another_key_is_given(busy_project, team):
    document = transfer.project_export(project=busy_project)
    with pytest.raises(DomainError, match="already has a project with the key WEB"):
        transfer.project_import(data=document, team=team)
    result = transfer.project_import(data=document, team=team, key="web2")
    assert result.project.key == "WEB2"
    assert Task.objects.filter(project=result.project).count() == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: "not json", "not JSON"),
        (lambda d: {**d, "format": "trello"}, "not an Internboard project export"),
        (lambda d: {**d, "version": 99}, "version 99"),
        (lambda d: d["tasks"][0].pop("title") and None, "tasks[0].title: is missing"),
        (lambda d: d["tasks"][1].update(column="Nowhere"), "tasks[1].column"),
        (lambda d: d["tasks"][0].update(number=d["tasks"][1]["number"]), "tasks[1].number"),
        (lambda d: d["tasks"][0].update(estimate="3"), "tasks[0].estimate: has the wrong type"),
        (lambda d: d["tasks"][0]["reviews"][1].update(score=None), "reviews[1].score"),
        (lambda d: d["columns"].pop() and None, "columns: needs a column of each category"),
        (lambda d: d["tasks"][0].update(assignee="nobody"), "tasks[0].assignee"),
        (lambda d: d["project"].update(key="1bad"), "capital Latin letters"),
        (lambda d: d["tasks"][0]["activity"][0].update(created_at="yesterday"), "activity[0]"),
    ],
)
def test_bad_documents_are_refused_whole(busy_project, other_team, change, message):
    document = transfer.project_export(project=busy_project)
    changed = change(document)  # a replacement, or None after changing ``document``
    data = document if changed is None else changed
    projects = Project.objects.count()
    with pytest.raises(DomainError, match=message.replace("[", r"\[").replace("]", r"\]")):
        transfer.project_import(
            data=data if isinstance(data, str) else json.dumps(data), team=other_team
        )
    assert Project.objects.count() == projects


def test_export_query_count_is_constant(busy_project, intern, django_assert_num_queries):
    with django_assert_num_queries(EXPORT_QUERIES):
        transfer.project_export(project=busy_project)
    for index in range(10):
        task = make_task(busy_project, intern, title=f"More {index}", assignee=intern)
        services.comment_create(task=task, by=intern, body="hi")
        services.checklist_add(task=task, by=intern, text="step")
    with django_assert_num_queries(EXPORT_QUERIES):
        transfer.project_export(project=busy_project)


# Columns, tasks, their labels, comments, checklist, reviews, activity, users, labels.
EXPORT_QUERIES = 9


# --- Commands ------------------------------------------------------------------------------


def test_commands_round_trip_through_a_file(busy_project, other_team, tmp_path):
    path = tmp_path / "web.json"
    call_command("export_project", str(busy_project.pk), "-o", str(path), stderr=StringIO())
    assert json.loads(path.read_text(encoding="utf-8"))["project"]["key"] == "WEB"
    assert "Сверстать шапку!" in path.read_text(encoding="utf-8")  # readable Cyrillic
    out = StringIO()
    call_command("import_project", str(path), "--team", str(other_team.pk), stdout=out)
    assert "3 tasks" in out.getvalue()
    imported = Project.objects.get(team=other_team, key="WEB")
    assert ChecklistItem.objects.filter(task__project=imported).count() == 2


def test_export_command_writes_to_stdout(busy_project):
    out = StringIO()
    call_command("export_project", str(busy_project.pk), stdout=out)
    assert json.loads(out.getvalue())["format"] == "internboard-project"


def test_commands_fail_with_a_sentence_and_write_nothing(busy_project, team, tmp_path):
    path = tmp_path / "web.json"
    call_command("export_project", str(busy_project.pk), "-o", str(path), stderr=StringIO())
    projects = Project.objects.count()
    with pytest.raises(CommandError, match="Choose another key with --key"):
        call_command("import_project", str(path), "--team", str(team.pk))
    with pytest.raises(CommandError, match="No team with id 0"):
        call_command("import_project", str(path), "--team", "0")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_project", str(tmp_path / "missing.json"), "--team", str(team.pk))
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_project", str(tmp_path / "bad.json"), "--team", str(team.pk))
    with pytest.raises(CommandError, match="No project with id 0"):
        call_command("export_project", "0")
    assert Project.objects.count() == projects
    call_command(
        "import_project", str(path), "--team", str(team.pk), "--key", "COPY", stdout=StringIO()
    )
    assert Project.objects.filter(team=team, key="COPY").exists()


# --- Download page and API -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_settings_page_offers_the_export_and_the_import(client, project, mentor, language):
    mentor.preferred_language = language
    mentor.save()
    client.force_login(mentor)
    html = client.get(f"/projects/{project.pk}/settings/").content.decode()
    assert f'href="/projects/{project.pk}/export.json"' in html
    assert f'href="/projects/{project.pk}/tasks/import/"' in html
    response = client.get(f"/projects/{project.pk}/export.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["project"]["key"] == "WEB"


@pytest.mark.parametrize(
    ("persona_name", "status"),
    [("anonymous", 401), ("staff", 200), ("mentor", 200), ("intern", 403), ("outsider", 404)],
)
def test_api_export_json_permissions(api_as, busy_project, persona_name, status):
    response = api_as(persona_name).get(f"/api/v1/projects/{busy_project.pk}/export.json")
    assert response.status_code == status
    if status == 200:
        assert json.loads(response.content)["tasks"][0]["title"] == "Сверстать шапку!"
