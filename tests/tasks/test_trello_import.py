"""The Trello import against two real exports, tests/data/trello (counts from the JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from analytics.models import ProjectDay, TaskMetrics
from analytics.services import rebuild
from config.errors import DomainError
from integrations.models import Event
from projects.models import Column, ColumnCategory
from tasks import trello
from tasks.models import Activity, ActivityKind, ChecklistItem, Comment, ImportedObject, Task
from teams.models import Role
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.usefixtures("postgres_only")

# Real public boards (SOURCES.md there), kept in the repository so a fresh checkout tests them.
DATA = Path(__file__).resolve().parents[1] / "data" / "trello"
EXPORTS = ("clipkit.json", "howgoesit.json")


def _raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _expected(name: str) -> dict[str, int]:
    """What the JSON holds, counted here independently of the parser."""
    data = json.loads(_raw(name))
    actions = data["actions"]
    return {
        "cards": len(data["cards"]),
        "closed_cards": sum(1 for card in data["cards"] if card["closed"]),
        "comments": sum(1 for a in actions if a["type"] == "commentCard"),
        "moves": sum(1 for a in actions if a["type"] == "updateCard" and "listAfter" in a["data"]),
        "items": sum(len(c["checkItems"]) for c in data.get("checklists", [])),
        "done_items": sum(
            1
            for c in data.get("checklists", [])
            for item in c["checkItems"]
            if item["state"] == "complete"
        ),
        "lists": len(data["lists"]),
    }


@pytest.fixture
def importing(team, mentor):
    def run(name: str, **options):
        board = trello.trello_parse(data=_raw(name))
        return trello.trello_import(team=team, by=mentor, board=board, **options)

    return run


@pytest.mark.parametrize("name", EXPORTS)
def test_every_card_comment_item_and_move_is_imported(importing, name):
    expected = _expected(name)
    result = importing(name)
    project = result.project
    tasks = Task.objects.filter(project=project)
    assert tasks.count() == expected["cards"] == result.tasks_created
    assert tasks.filter(archived=True).count() >= expected["closed_cards"]
    assert Comment.objects.filter(task__project=project).count() == expected["comments"]
    items = ChecklistItem.objects.filter(task__project=project)
    assert items.count() == expected["items"]
    assert items.filter(done=True).count() == expected["done_items"]
    moves = Activity.objects.filter(task__project=project, kind=ActivityKind.MOVED)
    # Every Trello move is a row with its original date (a few more close gaps in history).
    from_trello = ImportedObject.objects.filter(project=project, kind="activity").exclude(
        external_id__contains=":"
    )
    assert result.moves == expected["moves"]
    assert moves.count() >= expected["moves"]
    assert from_trello.count() >= expected["moves"]
    created = Activity.objects.filter(task__project=project, kind=ActivityKind.CREATED)
    assert created.count() == expected["cards"]
    # Lists became columns in order, plus any category the board lacked.
    columns = list(Column.objects.filter(project=project).order_by("position"))
    assert len(columns) >= expected["lists"]
    assert {c.category for c in columns} == set(ColumnCategory.values)
    assert [c.position for c in columns] == list(range(len(columns)))


def test_moves_keep_their_dates_lists_and_categories(importing):
    importing("howgoesit.json")
    data = json.loads(_raw("howgoesit.json"))
    move = next(
        a for a in data["actions"] if a["type"] == "updateCard" and "listAfter" in a["data"]
    )
    ref = ImportedObject.objects.get(kind="activity", external_id=move["id"])
    activity = Activity.objects.get(pk=ref.object_id)
    assert activity.created_at.isoformat().startswith(move["date"][:19])
    assert activity.to_column_name == move["data"]["listAfter"]["name"]
    assert activity.from_column_name == move["data"]["listBefore"]["name"]
    assert activity.to_category == ColumnCategory.DONE
    assert activity.data["trello_member"] == "Andrej Ciho"  # not a team member: name kept


def test_history_feeds_analytics(importing, team, mentor):
    result = importing("howgoesit.json")
    rebuild(team_id=team.pk)
    done = Task.objects.filter(project=result.project, column__category=ColumnCategory.DONE)
    done = done.filter(archived=False)
    metrics = TaskMetrics.objects.filter(task__in=done)
    assert metrics.count() == done.count() > 0
    assert metrics.filter(completed_at__isnull=False).count() == done.count()
    # Cards that went through "In Progress" have a cycle time from the original dates.
    assert metrics.filter(cycle_seconds__gt=0).exists()
    assert all(m.completed_at.year == 2017 for m in metrics)


def test_one_analytics_rebuild_follows_the_commit(team, mentor, django_capture_on_commit_callbacks):
    board = trello.trello_parse(data=_raw("howgoesit.json"))
    with django_capture_on_commit_callbacks(execute=True):
        result = trello.trello_import(team=team, by=mentor, board=board)
    # No event per task (no webhook storm, no per-task recompute); the rebuild ran in-process.
    assert not Event.objects.filter(project=result.project).exists()
    assert TaskMetrics.objects.filter(project=result.project).count() == 40
    assert ProjectDay.objects.filter(project=result.project).exists()


def test_reimport_updates_instead_of_duplicating(importing):
    first = importing("howgoesit.json")
    counts = {
        model: model.objects.count() for model in (Task, Comment, ChecklistItem, Activity, Column)
    }
    task = Task.objects.filter(project=first.project).order_by("number").first()
    Task.objects.filter(pk=task.pk).update(title="Renamed here")
    second = importing("howgoesit.json")
    assert second.project == first.project
    assert second.reimport
    assert second.tasks_created == 0
    assert second.tasks_updated == 40
    assert {model: model.objects.count() for model in counts} == counts
    task.refresh_from_db()
    assert task.title != "Renamed here"


def test_matched_members_become_assignees_and_comment_authors(team, mentor):
    user = MembershipFactory(
        team=team, role=Role.INTERN, user__username="andrejciho", user__full_name="A. C."
    ).user
    board = trello.trello_parse(data=_raw("howgoesit.json"))
    plan = trello.trello_plan(board=board, users=trello.team_users(team))
    member = next(m for m in plan.members if m.username == "andrejciho")
    assert (member.user_id, member.matched_by) == (user.pk, "username")
    result = trello.trello_import(team=team, by=mentor, board=board)
    comments = Comment.objects.filter(task__project=result.project)
    assert comments.filter(author=user).exists()
    assert not comments.filter(author=user, body__contains="wrote in Trello").exists()
    assert Task.objects.filter(project=result.project, assignee=user).exists()


def _with_card_on_closed_list() -> tuple[trello.TrelloBoard, str]:
    data = json.loads(_raw("clipkit.json"))
    closed = next(item for item in data["lists"] if item["closed"])
    card = next(card for card in data["cards"] if not card["closed"])
    card["idList"] = closed["id"]
    return trello.trello_parse(data=json.dumps(data).encode()), card["id"]


def test_a_closed_list_with_cards_becomes_a_column_of_archived_tasks(team, mentor):
    board, card_id = _with_card_on_closed_list()
    plan = trello.trello_plan(board=board, users=[])
    closed = next(item for item in plan.lists if item.closed)
    assert closed.include
    result = trello.trello_import(team=team, by=mentor, board=board)
    task = Task.objects.get(
        pk=ImportedObject.objects.get(kind="card", external_id=card_id).object_id
    )
    assert task.archived
    assert task.column.name == closed.column_name
    assert Task.objects.filter(project=result.project).count() == 67


def test_closed_lists_can_be_skipped_with_their_cards(team, mentor):
    board, card_id = _with_card_on_closed_list()
    plan = trello.trello_plan(board=board, users=[])
    closed = next(item for item in plan.lists if item.closed)
    choices = trello.ImportChoices.proposed(plan)
    choices.lists[closed.trello_id] = trello.ListChoice(
        include=False, name=closed.column_name, category=closed.category
    )
    result = trello.trello_import(team=team, by=mentor, board=board, choices=choices)
    names = set(Column.objects.filter(project=result.project).values_list("name", flat=True))
    assert closed.column_name not in names
    assert Task.objects.filter(project=result.project).count() == 66
    assert not ImportedObject.objects.filter(kind="card", external_id=card_id).exists()


def test_an_empty_project_is_filled_a_busy_one_refused(importing, project, mentor):
    from tests.tasks.factories import make_task

    result = importing("clipkit.json", project=project)
    assert result.project == project
    assert Task.objects.filter(project=project).count() == 67
    other = trello.trello_parse(data=_raw("howgoesit.json"))
    make_task(project, mentor, column_name="Done")
    with pytest.raises(DomainError, match="already has tasks"):
        trello.trello_import(team=project.team, by=mentor, board=other, project=project)


def test_history_shows_on_the_task(importing, client, mentor):
    result = importing("howgoesit.json")
    client.force_login(mentor)
    task = Task.objects.filter(project=result.project, column__name="Done").first()
    response = client.get(f"/tasks/{task.pk}/")
    assert response.status_code == 200
    assert "moved from" in response.content.decode()


# --- The command ----------------------------------------------------------------------------


def test_command_dry_run_prints_the_preview_and_writes_nothing(team, mentor, capsys):
    call_command("import_trello", str(DATA / "howgoesit.json"), team=team.pk, dry_run=True)
    out = capsys.readouterr().out
    assert "In Progress → In Progress [In progress]" in out
    assert "40 cards, 17 comments, 5 checklist items" in out
    assert not Task.objects.exists()


def test_command_imports_with_the_key_given(team, mentor, capsys):
    call_command("import_trello", str(DATA / "clipkit.json"), team=team.pk, project_key="clip")
    assert Task.objects.filter(project__key="CLIP").count() == 67


def test_command_refuses_with_a_sentence(team, mentor, tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "name": "b", "lists": [], "cards": [{"id": 1}]}')
    with pytest.raises(CommandError, match=r"cards\[0\]"):
        call_command("import_trello", str(bad), team=team.pk)
    with pytest.raises(CommandError, match="No team"):
        call_command("import_trello", str(bad), team=999999)


def test_reimport_brings_what_changed_in_trello(importing, team, mentor):
    first = importing("howgoesit.json")
    data = json.loads(_raw("howgoesit.json"))
    lists = {item["name"]: item["id"] for item in data["lists"]}
    card = next(c for c in data["cards"] if c["idList"] == lists["In Progress"])
    card["idList"] = lists["Done"]
    card["name"] = "Renamed in Trello"
    move = {
        "id": "6a0000000000000000000001",
        "type": "updateCard",
        "date": "2018-01-05T10:00:00.000Z",
        "idMemberCreator": "4f0b094161d1ad231548d658",
        "memberCreator": {"fullName": "Andrej Ciho", "username": "andrejciho"},
        "data": {
            "card": {"id": card["id"]},
            "listBefore": {"id": lists["In Progress"], "name": "In Progress"},
            "listAfter": {"id": lists["Done"], "name": "Done"},
            "old": {"idList": lists["In Progress"]},
        },
    }
    comment = {**move, "id": "6a0000000000000000000002", "type": "commentCard"}
    comment["data"] = {"card": {"id": card["id"]}, "text": "Shipped"}
    new_card = {**data["cards"][0], "id": "6a0000000000000000000003", "name": "Brand new"}
    new_card.update(idChecklists=[], idLabels=[], idMembers=[], labels=[])
    data["actions"] = [move, comment, *data["actions"]]
    data["cards"].append(new_card)
    # The column of "Review" was deleted here meanwhile (it held no task then).
    review = Column.objects.get(project=first.project, name="Review")
    Task.objects.filter(column=review).update(
        column=Column.objects.get(project=first.project, name="Done"), rank=None, archived=True
    )
    review.delete()
    board = trello.trello_parse(data=json.dumps(data).encode())
    second = trello.trello_import(team=team, by=mentor, board=board)
    assert second.project == first.project
    assert (second.tasks_created, second.tasks_updated) == (1, 40)
    assert (second.comments, second.moves) == (1, 1)
    task = Task.objects.get(
        pk=ImportedObject.objects.get(kind="card", external_id=card["id"]).object_id
    )
    assert task.title == "Renamed in Trello"
    assert task.column.name == "Done"
    assert task.completed_at.isoformat().startswith("2018-01-05T10:00")
    assert task.comments.filter(body__contains="Shipped").count() == 1
    # The deleted column came back once, and its mapping follows it.
    column = Column.objects.get(project=first.project, name="Review")
    ref = ImportedObject.objects.get(
        project=first.project, kind="list", external_id=lists["Review"]
    )
    assert ref.object_id == column.pk
    third = trello.trello_import(team=team, by=mentor, board=board)
    assert (third.tasks_created, third.comments, third.moves, third.columns) == (0, 0, 0, 0)


def _synthetic(cards: int) -> dict:
    """A board of ``cards`` cards over three lists, each created and moved once, commented."""
    lists = [
        {"id": f"{n:024x}", "name": name, "closed": False, "pos": n}
        for n, name in enumerate(("To do", "Doing", "Done"), start=1)
    ]
    board = {"id": "b" * 24, "name": "Big board", "lists": lists, "cards": [], "actions": []}
    for n in range(cards):
        card_id = f"5a{n:022x}"
        board["cards"].append(
            {"id": card_id, "name": f"Card {n}", "idList": lists[2]["id"], "pos": n}
        )
        who = {"idMemberCreator": "m" * 24, "memberCreator": {"fullName": "Someone"}}
        board["actions"] += [
            {"id": f"a{n:023x}", "type": "createCard", "date": "2024-01-01T10:00:00Z",
             "data": {"card": {"id": card_id}, "list": lists[0]}, **who},
            {"id": f"c{n:023x}", "type": "updateCard", "date": "2024-01-02T10:00:00Z",
             "data": {"card": {"id": card_id}, "listBefore": lists[0], "listAfter": lists[2]},
             **who},
            {"id": f"d{n:023x}", "type": "commentCard", "date": "2024-01-03T10:00:00Z",
             "data": {"card": {"id": card_id}, "text": "done"}, **who},
        ]  # fmt: skip
    return board


@pytest.mark.parametrize("cards", [50, 1200])
def test_a_large_board_is_written_in_bulk(team, mentor, cards, django_assert_max_num_queries):
    board = trello.trello_parse(data=json.dumps(_synthetic(cards)).encode())
    with django_assert_max_num_queries(60):
        result = trello.trello_import(team=team, by=mentor, board=board)
    assert result.tasks_created == cards
    assert Comment.objects.filter(task__project=result.project).count() == cards
    assert Activity.objects.filter(task__project=result.project, kind="moved").count() == cards


def test_reimport_puts_back_what_was_changed_here_and_says_so(importing, mentor):
    from tasks import services

    first = importing("howgoesit.json")
    moved, archived = Task.objects.filter(project=first.project, archived=False).exclude(
        column__name="Review"
    )[:2]
    review = Column.objects.get(project=first.project, name="Review")
    home = moved.column
    services.task_move(task=moved, by=mentor, column=review, position=None, version=moved.version)
    services.task_set_archived(task=archived, by=mentor, archived=True)
    importing("howgoesit.json")
    moved.refresh_from_db()
    archived.refresh_from_db()
    assert moved.column == home
    last = moved.activities.order_by("-created_at", "-pk").first()
    assert (last.kind, last.from_column, last.to_column) == ("moved", review, home)
    assert not archived.archived
    assert archived.activities.order_by("-created_at", "-pk").first().kind == "restored"
