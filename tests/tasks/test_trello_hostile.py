"""Hand-made hostile Trello files: each is refused with its place named, or imported harmlessly."""

from __future__ import annotations

import copy
import json

import pytest

from config.errors import DomainError
from tasks import trello
from tasks.models import ChecklistItem, Comment, Label, Task

pytestmark = pytest.mark.usefixtures("postgres_only")

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _board(**overrides) -> dict:
    board = {
        "id": "5a20253af52b5167cd7fbd34",
        "name": "Board",
        "desc": "",
        "lists": [{"id": "5a2025b282180c3aa915c490", "name": "Doing", "closed": False, "pos": 1}],
        "cards": [
            {
                "id": "5a308871d5f4a39d27f2f74c",
                "name": "Card",
                "desc": "",
                "idList": "5a2025b282180c3aa915c490",
                "pos": 1,
                "closed": False,
                "idLabels": ["l1"],
                "idMembers": ["m1"],
                "attachments": [],
            }
        ],
        "labels": [{"id": "l1", "name": "Bug", "color": "red"}],
        "members": [{"id": "m1", "username": "ann", "fullName": "Ann"}],
        "checklists": [
            {
                "id": "c1",
                "idCard": "5a308871d5f4a39d27f2f74c",
                "name": "Steps",
                "pos": 1,
                "checkItems": [{"id": "i1", "name": "One", "state": "complete", "pos": 1}],
            }
        ],
        "actions": [
            {
                "id": "a1",
                "type": "commentCard",
                "date": "2017-12-22T15:29:08.172Z",
                "idMemberCreator": "m1",
                "memberCreator": {"fullName": "Ann", "username": "ann"},
                "data": {"card": {"id": "5a308871d5f4a39d27f2f74c"}, "text": "Hello"},
            }
        ],
    }
    board.update(overrides)
    return board


def _parse(board: dict | list | str) -> trello.TrelloBoard:
    data = board if isinstance(board, str) else json.dumps(board)
    return trello.trello_parse(data=data.encode())


def _refused(board, match: str) -> None:
    with pytest.raises(DomainError, match=match):
        _parse(board)


def test_a_well_formed_board_parses():
    board = _parse(_board())
    assert [card.name for card in board.cards] == ["Card"]
    assert trello.count_board(board) == trello.ImportCounts(
        cards=1, comments=1, checklist_items=1, labels=1, attachments=0, moves=0
    )


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda b: b["cards"][0].pop("idList"), r"cards\[0\]: “idList” is missing"),
        (lambda b: b["cards"][0].update(idList=5), r"cards\[0\]\.idList: expected a string"),
        (lambda b: b["cards"][0].update(idList="nope"), r"cards\[0\]\.idList: no list has"),
        (lambda b: b["cards"][0].update(name=None), r"cards\[0\]\.name: expected a string"),
        (lambda b: b["cards"][0].update(pos="top"), r"cards\[0\]\.pos: expected a number"),
        (lambda b: b["cards"][0].update(closed="yes"), r"cards\[0\]\.closed: expected true"),
        (lambda b: b["cards"][0].update(idMembers="m1"), r"cards\[0\]\.idMembers: expected a list"),
        (lambda b: b["cards"][0].update(due="tomorrow"), r"cards\[0\]\.due: expected a date"),
        (lambda b: b["cards"][0].update(due="9999-12-31T23:59:59Z"), r"\.due: the date is out"),
        (lambda b: b["cards"][0].update(pos=10**400), r"cards\[0\]\.pos: the number is too"),
        (lambda b: b.update(lists={}), r"board\.lists: expected a list"),
        (lambda b: b["lists"].append("x"), r"lists\[1\]: expected an object"),
        (lambda b: b["labels"][0].update(id=""), r"labels\[0\]\.id: expected an id"),
        (
            lambda b: b["checklists"][0]["checkItems"][0].update(name=[]),
            r"checklists\[0\]\.checkItems\[0\]\.name: expected a string",
        ),
        (lambda b: b["actions"][0].update(data=None), r"actions\[0\]\.data: expected an object"),
        (lambda b: b["actions"][0].pop("date"), r"actions\[0\]: “date” is missing"),
        (lambda b: b["actions"][0]["data"].pop("text"), r"actions\[0\]\.data: “text” is missing"),
    ],
)
def test_missing_keys_and_wrong_types_are_named_with_their_place(mutate, match):
    board = _board()
    mutate(board)
    _refused(board, match)


@pytest.mark.parametrize(
    ("kind", "match"),
    [
        ("cards", r"cards\[1\]\.id: the id “.*” is used twice \(also at cards\[0\]\.id\)"),
        ("lists", r"lists\[1\]\.id: the id .* is used twice"),
        ("labels", r"labels\[1\]\.id: the id .* is used twice"),
        ("actions", r"actions\[1\]\.id: the id .* is used twice"),
    ],
)
def test_duplicate_ids_are_refused(kind, match):
    board = _board()
    board[kind].append(copy.deepcopy(board[kind][0]))
    _refused(board, match)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[]", "not a Trello board export: the file holds a list"),
        ('{"name": "x"}', "“id” is missing at the top level"),
        ('{"id": "x", "name": "b", "cards": []}', "“lists” is missing at the top level"),
        ('{"id": "x",', r"not valid JSON: line 1, column \d+"),
        ('{"id": NaN}', "not valid JSON"),
        (
            '{"id": "x", "name": "b", "cards": [], '
            '"lists": [{"id": "l", "name": "", "pos": 1e999}]}',
            r"lists\[0\]\.pos: the number is too large",
        ),
        ("", "not valid JSON"),
    ],
)
def test_non_trello_or_malformed_json_is_refused(content, match):
    _refused(content, match)


def test_bytes_that_are_not_text_are_refused():
    with pytest.raises(DomainError, match="not valid JSON"):
        trello.trello_parse(data=b"\xff\xfe\x00garbage\x80")


@pytest.mark.parametrize("depth", [trello.MAX_DEPTH + 1, 100_000])
def test_deep_nesting_is_refused(depth):
    _refused("[" * depth + "]" * depth, "nested more than")
    nested = "[" * min(depth, 5000) + "]" * min(depth, 5000)
    _refused(json.dumps(_board())[:-1] + f', "pluginData": {nested}}}', "nested more than")


def test_a_file_over_the_cap_is_refused_before_parsing(settings):
    # Not JSON at all: had it been parsed, the error would say so.
    data = b"{" + b" " * (60 * 1024 * 1024)
    with pytest.raises(DomainError, match="at most 50 MB") as caught:
        trello.trello_parse(data=data)
    assert caught.value.code == "trello_too_large"
    settings.TRELLO_IMPORT_MAX_BYTES = 1024
    with pytest.raises(DomainError, match="TRELLO_IMPORT_MAX_BYTES"):
        trello.check_size(2048)


def _hostile_board() -> dict:
    board = _board(name=XSS, desc=XSS)
    board["lists"][0]["name"] = XSS
    card = board["cards"][0]
    card.update(name=XSS + "\x00\x07 tail", desc=XSS + "\x00")
    card["attachments"] = [
        {"id": "at1", "name": XSS, "url": "javascript:alert(1)"},
        {"id": "at2", "name": "spec](javascript:alert(1))", "url": "https://example.com/a b"},
        {"id": "at3", "name": "ok", "url": "https://example.com/file.pdf"},
    ]
    board["labels"][0].update(name=XSS, color="ultraviolet")
    board["members"][0].update(fullName=XSS, username=XSS)
    board["checklists"][0]["name"] = XSS
    board["checklists"][0]["checkItems"][0]["name"] = XSS
    board["actions"][0]["data"]["text"] = XSS
    board["actions"][0]["memberCreator"]["fullName"] = "[me](javascript:alert(1))"
    return board


def test_xss_in_every_name_is_stored_as_text_and_shown_escaped(team, mentor, client):
    board = _parse(_hostile_board())
    plan = trello.trello_plan(board=board, users=[])
    assert any("ultraviolet" in warning for warning in plan.warnings)
    result = trello.trello_import(team=team, by=mentor, board=board, key="XSS")
    task = Task.objects.get(project=result.project)
    assert "\x00" not in task.title
    assert "\x07" not in task.title
    assert "\x00" not in task.description
    assert "](<javascript:" not in task.description  # only http(s) addresses become links
    assert "(<https://example.com/file.pdf>)" in task.description
    assert Label.objects.get(project=result.project).color == "slate"
    client.force_login(mentor)
    for url in (f"/projects/{result.project.pk}/board/", f"/tasks/{task.pk}/"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page
    comment = Comment.objects.get(task=task)
    # The author's name (the board's member list wins over the action's copy) is text.
    assert comment.body.startswith("**&lt;script&gt;alert\\(")
    assert "&lt;script&gt;" in client.get(f"/tasks/{task.pk}/").content.decode()
    assert ChecklistItem.objects.get(task=task).text.startswith("<script>")  # text, shown escaped


def test_huge_strings_are_cut_to_the_fields(team, mentor):
    board = _board()
    board["cards"][0].update(name="n" * 1_000_000, desc="d" * 3_000_000)
    board["lists"][0]["name"] = "l" * 10_000
    board["labels"][0]["name"] = "b" * 10_000
    board["actions"][0]["data"]["text"] = "t" * 1_000_000
    board["checklists"][0]["checkItems"][0]["name"] = "c" * 100_000
    result = trello.trello_import(team=team, by=mentor, board=_parse(board), key="HUGE")
    task = Task.objects.get(project=result.project)
    assert len(task.title) == 200
    assert len(task.description) == 20000
    assert len(Comment.objects.get(task=task).body) <= 10000
    assert len(ChecklistItem.objects.get(task=task).text) == 200
    assert len(task.column.name) == 60
    assert len(Label.objects.get(project=result.project).name) == 40


def test_unknown_categories_and_outside_users_are_refused(team, mentor, outsider):
    board = _parse(_board())
    plan = trello.trello_plan(board=board, users=[])
    choices = trello.ImportChoices.proposed(plan)
    choices.members["m1"] = outsider.pk
    with pytest.raises(DomainError, match="member of the team"):
        trello.trello_import(team=team, by=mentor, board=board, choices=choices)
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Done", "done"),
        ("Готово ✅", "done"),
        ("Сделано", "done"),
        ("Выполнено", "done"),
        ("Doing", "in_progress"),
        ("In progress", "in_progress"),
        ("В работе", "in_progress"),
        ("в процессе", "in_progress"),
        ("Code review", "review"),
        ("QA", "review"),
        ("Ревью", "review"),
        ("На проверке", "review"),
        ("Тестирование", "review"),
        ("Backlog", "todo"),
        ("Quality", "todo"),  # "qa" only as a word
        ("Undone ideas", "todo"),
    ],
)
def test_categories_are_guessed_from_english_and_russian_names(name, category):
    assert trello.guess_category(name) == category


def test_the_longest_ids_accepted_fit_what_is_stored(team, mentor):
    board = json.dumps(_board())
    for short in ("5a2025b282180c3aa915c490", "5a308871d5f4a39d27f2f74c", "m1"):
        board = board.replace(f'"{short}"', f'"{short[0] * 64}"')
    data = json.loads(board)
    data["lists"].append({"id": "9" * 64, "name": "Done", "pos": 2})
    data["actions"].append(
        {
            "id": "x" * 64,
            "type": "createCard",
            "date": "2017-12-01T10:00:00Z",
            "idMemberCreator": "m" * 64,
            "data": {"card": {"id": "5" * 64}, "list": {"id": "9" * 64, "name": "Done"}},
        }
    )
    result = trello.trello_import(team=team, by=mentor, board=_parse(data), key="LONG")
    # Created in "Done", found in "Doing": one move closes the gap in the history.
    task = Task.objects.get(project=result.project)
    assert task.activities.filter(kind="moved").count() == 1
