"""Trello board exports ("Export as JSON") become projects, with their history.

Three steps, so that nothing is written before a mentor has seen the plan:

1. ``trello_parse``: bytes → ``TrelloBoard``. The size cap is checked before
   a byte is parsed, nesting is limited, and the shape is validated with the
   place of every problem in the message (``cards[12].idList: expected a
   string``). Pure: no database.
2. ``trello_plan``: board + the team's members → ``ImportPlan``: the column
   and category proposed for each list (guessed from English and Russian
   names), the user proposed for each Trello member (e-mail, then username,
   then full name), counts and warnings. Pure.
3. ``trello_import``: one transaction writes the project, columns, labels,
   tasks, checklist items, comments and Activity rows with their original
   dates (so analytics read the imported history like any other), and an
   ``ImportedObject`` per Trello id, so importing the same board again
   updates what it imported instead of duplicating it.

Text is stored as typed, like any user text: control characters removed,
cut to the field's length; it is escaped or sanitized where it is shown.
"""

from __future__ import annotations

import contextlib
import datetime
import html
import json
import logging
import math
import os
import re
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.celery import app as celery_app
from config.errors import DomainError
from config.queueing import enqueue
from projects.models import Column, ColumnCategory, Project, clean_project_key
from projects.services import DEFAULT_COLUMNS, MAX_COLUMNS, project_create
from tasks import ordering
from tasks.models import (
    Activity,
    ActivityKind,
    ChecklistItem,
    Comment,
    ImportedObject,
    ImportSource,
    Label,
    LabelColor,
    Task,
)
from teams.selectors import team_members

if TYPE_CHECKING:
    from accounts.models import User
    from teams.models import Team

logger = logging.getLogger(__name__)

# Real boards nest 6 levels deep; anything far deeper is not an export.
MAX_DEPTH = 32
# Above this many cards the page runs the import as a background task.
BACKGROUND_CARDS = 1000

SOURCE = ImportSource.TRELLO
ANALYTICS_REBUILD_TASK = "analytics.tasks.analytics_rebuild_task"

# Lengths of the fields the text goes into (tasks.models, projects.models).
TITLE_MAX = Task._meta.get_field("title").max_length
DESCRIPTION_MAX = Task._meta.get_field("description").max_length
COMMENT_MAX = Comment._meta.get_field("body").max_length
CHECKLIST_MAX = ChecklistItem._meta.get_field("text").max_length
LABEL_MAX = Label._meta.get_field("name").max_length
COLUMN_MAX = Column._meta.get_field("name").max_length
PROJECT_NAME_MAX = Project._meta.get_field("name").max_length

# List names → category, compared case-insensitively as whole words. Checked
# in this order: "Done (QA)" is done, "QA in progress" is review.
CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ColumnCategory.DONE, ("done", "готово", "сделано", "выполнено")),
    (
        ColumnCategory.REVIEW,
        ("review", "qa", "ревью", "на проверке", "тестирование"),
    ),
    (
        ColumnCategory.IN_PROGRESS,
        ("doing", "in progress", "в работе", "в процессе"),
    ),
)
_CATEGORY_PATTERNS = tuple(
    (category, re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in words)))
    for category, words in CATEGORY_WORDS
)

# Trello's label colours → the nearest of the palette (``_dark``/``_light``
# shades of newer boards map like their base colour).
TRELLO_COLORS: dict[str, str] = {
    "green": LabelColor.GREEN,
    "yellow": LabelColor.YELLOW,
    "orange": LabelColor.ORANGE,
    "red": LabelColor.RED,
    "purple": LabelColor.VIOLET,
    "blue": LabelColor.BLUE,
    "sky": LabelColor.TEAL,
    "lime": LabelColor.GREEN,
    "pink": LabelColor.PINK,
    "black": LabelColor.SLATE,
}

_TRELLO_ID = re.compile(r"^[0-9a-f]{24}$")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


# --- Parsed board -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrelloList:
    id: str
    name: str
    closed: bool
    pos: float


@dataclass(frozen=True)
class TrelloLabel:
    id: str
    name: str
    color: str  # as in the file ("" for a colourless label)


@dataclass(frozen=True)
class TrelloMember:
    id: str
    username: str
    full_name: str
    email: str = ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.username or self.id


@dataclass(frozen=True)
class TrelloAttachment:
    name: str
    url: str


@dataclass(frozen=True)
class TrelloCard:
    id: str
    name: str
    desc: str
    list_id: str
    pos: float
    closed: bool
    due: datetime.datetime | None
    due_complete: bool
    label_ids: tuple[str, ...]
    member_ids: tuple[str, ...]
    attachments: tuple[TrelloAttachment, ...]
    last_activity: datetime.datetime | None


@dataclass(frozen=True)
class TrelloCheckItem:
    id: str
    name: str
    complete: bool
    pos: float


@dataclass(frozen=True)
class TrelloChecklist:
    id: str
    card_id: str
    name: str
    pos: float
    items: tuple[TrelloCheckItem, ...]


@dataclass(frozen=True)
class TrelloAction:
    """A ``createCard``, a list move, a ``commentCard`` or an ``addMemberToCard``."""

    id: str
    type: str
    card_id: str
    date: datetime.datetime
    member_id: str  # who did it
    member_name: str
    list_id: str = ""  # createCard: the list; a move: listAfter
    list_name: str = ""
    before_id: str = ""  # a move: listBefore
    before_name: str = ""
    text: str = ""  # commentCard
    added_member_id: str = ""  # addMemberToCard

    @property
    def is_move(self) -> bool:
        return self.type == "updateCard"


@dataclass(frozen=True)
class TrelloBoard:
    id: str
    name: str
    desc: str
    lists: tuple[TrelloList, ...]  # in board order
    labels: tuple[TrelloLabel, ...]
    label_names: dict[str, str]  # colour → name (older exports)
    members: tuple[TrelloMember, ...]
    cards: tuple[TrelloCard, ...]  # in board order: list, then pos
    checklists: tuple[TrelloChecklist, ...]
    actions: tuple[TrelloAction, ...]  # oldest first
    skipped_actions: int  # about cards the export does not hold

    def actions_of(self, type_: str) -> list[TrelloAction]:
        return [action for action in self.actions if action.type == type_]


# --- Reading the JSON, with the place of each problem ----------------------------------------


def _error(where: str, message: str, code: str = "trello_invalid") -> DomainError:
    return DomainError(
        gettext("%(where)s: %(problem)s") % {"where": where, "problem": message}, code=code
    )


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return gettext("a boolean")
    if isinstance(value, int | float):
        return gettext("a number")
    if isinstance(value, str):
        return gettext("a string")
    if isinstance(value, list):
        return gettext("a list")
    return gettext("an object")


def _expected(where: str, what: str, value: object) -> DomainError:
    return _error(
        where,
        gettext("expected %(what)s, found %(found)s") % {"what": what, "found": _type_name(value)},
    )


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise _expected(where, gettext("an object"), value)
    return value


def _missing(obj: dict, key: str, where: str) -> DomainError:
    return _error(where, gettext("“%(key)s” is missing") % {"key": key})


def _str(obj: dict, key: str, where: str, *, required: bool = False) -> str:
    if key not in obj:
        if required:
            raise _missing(obj, key, where)
        return ""
    value = obj[key]
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _expected(f"{where}.{key}", gettext("a string"), value)
    return value


def _id(obj: dict, key: str, where: str) -> str:
    value = _str(obj, key, where, required=True)
    if not value or len(value) > 64:
        raise _error(f"{where}.{key}", gettext("expected an id of 1 to 64 characters"))
    return value


def _bool(obj: dict, key: str, where: str) -> bool:
    value = obj.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _expected(f"{where}.{key}", gettext("true or false"), value)
    return value


def _number(obj: dict, key: str, where: str, default: float) -> float:
    value = obj.get(key, default)
    if value is None:
        return default
    # "top"/"bottom" are what Trello's API accepts for pos; exports hold numbers.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected(f"{where}.{key}", gettext("a number"), value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _error(f"{where}.{key}", gettext("the number is too large"))
    return number


def _list(obj: dict, key: str, where: str, *, required: bool = False) -> list:
    if key not in obj or obj[key] is None:
        if required:
            raise _missing(obj, key, where)
        return []
    value = obj[key]
    if not isinstance(value, list):
        raise _expected(f"{where}.{key}", gettext("a list"), value)
    return value


def _ids(obj: dict, key: str, where: str) -> tuple[str, ...]:
    values = _list(obj, key, where)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise _expected(f"{where}.{key}[{index}]", gettext("a string"), value)
    return tuple(dict.fromkeys(values))


def _date(obj: dict, key: str, where: str) -> datetime.datetime | None:
    raw = _str(obj, key, where)
    if not raw:
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise _error(
            f"{where}.{key}", gettext("expected a date and time such as 2017-12-22T19:43:19Z")
        ) from None
    if not 1900 <= moment.year <= 9000:  # beyond, time zone arithmetic overflows
        raise _error(f"{where}.{key}", gettext("the date is out of range"))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _unique(items: Iterable[tuple[str, str]], kind: str) -> None:
    """Refuse a file where two objects of ``kind`` share an id (``items``: id, where)."""
    seen: dict[str, str] = {}
    for item_id, where in items:
        if item_id in seen:
            raise _error(
                where,
                gettext("the id “%(id)s” is used twice (also at %(other)s)")
                % {"id": item_id, "other": seen[item_id]},
                code="trello_duplicate",
            )
        seen[item_id] = where


def _check_depth(data: object) -> None:
    """Refuse structures nested deeper than ``MAX_DEPTH`` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


def _too_deep() -> DomainError:
    return DomainError(
        _("The file is nested more than %(depth)d levels deep: it is not a Trello board export.")
        % {"depth": MAX_DEPTH},
        code="trello_too_deep",
    )


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def max_bytes() -> int:
    return settings.TRELLO_IMPORT_MAX_BYTES


def check_size(size: int) -> None:
    """Refuse a file over ``TRELLO_IMPORT_MAX_BYTES``: call it before reading the file."""
    limit = max_bytes()
    if size > limit:
        raise DomainError(
            _(
                "The file is %(size)s MB; a Trello export may be at most %(limit)s MB "
                "(setting TRELLO_IMPORT_MAX_BYTES)."
            )
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            code="trello_too_large",
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def trello_parse(*, data: bytes) -> TrelloBoard:
    """The board in a Trello JSON export; DomainError naming what is wrong and where."""
    check_size(len(data))
    try:
        raw = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as error:
        raise DomainError(
            _("The file is not valid JSON: line %(line)d, column %(column)d: %(problem)s.")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg},
            code="trello_json",
        ) from None
    except ValueError as error:  # not UTF-8, NaN, a number too long
        raise DomainError(
            _("The file is not valid JSON: %(problem)s.") % {"problem": str(error)},
            code="trello_json",
        ) from None
    _check_depth(raw)
    return _board(raw)


def _board(raw: object) -> TrelloBoard:
    if not isinstance(raw, dict):
        raise DomainError(
            _("This is not a Trello board export: the file holds %(found)s, not an object.")
            % {"found": _type_name(raw)},
            code="trello_not_board",
        )
    for key in ("id", "name", "lists", "cards"):
        if key not in raw:
            raise DomainError(
                _("This is not a Trello board export: “%(key)s” is missing at the top level.")
                % {"key": key},
                code="trello_not_board",
            )
    board_id = _id(raw, "id", "board")
    lists = _lists(raw)
    labels = _labels(raw)
    label_names = _label_names(raw)
    members = _members(raw)
    cards, card_labels = _cards(raw, {item.id for item in lists})
    order = {item.id: index for index, item in enumerate(lists)}
    cards = tuple(sorted(cards, key=lambda card: (order[card.list_id], card.pos)))
    # Older exports have no top-level "labels": the cards carry theirs.
    known = {label.id for label in labels}
    labels = labels + tuple(label for label in card_labels if label.id not in known)
    card_ids = {card.id for card in cards}
    checklists = _checklists(raw, card_ids, _check_item_states(raw))
    actions, skipped = _actions(raw, card_ids)
    return TrelloBoard(
        id=board_id,
        name=_str(raw, "name", "board", required=True),
        desc=_str(raw, "desc", "board"),
        lists=lists,
        labels=labels,
        label_names=label_names,
        members=members,
        cards=cards,
        checklists=checklists,
        actions=actions,
        skipped_actions=skipped,
    )


def _lists(raw: dict) -> tuple[TrelloList, ...]:
    lists = []
    for index, item in enumerate(_list(raw, "lists", "board", required=True)):
        where = f"lists[{index}]"
        item = _object(item, where)
        lists.append(
            TrelloList(
                id=_id(item, "id", where),
                name=_str(item, "name", where, required=True),
                closed=_bool(item, "closed", where),
                pos=_number(item, "pos", where, float(index)),
            )
        )
    _unique(((item.id, f"lists[{i}].id") for i, item in enumerate(lists)), "list")
    return tuple(sorted(lists, key=lambda item: item.pos))


def _label(item: object, where: str) -> TrelloLabel:
    item = _object(item, where)
    return TrelloLabel(
        id=_id(item, "id", where),
        name=_str(item, "name", where),
        color=_str(item, "color", where),
    )


def _labels(raw: dict) -> tuple[TrelloLabel, ...]:
    labels = [
        _label(item, f"labels[{index}]") for index, item in enumerate(_list(raw, "labels", "board"))
    ]
    _unique(((item.id, f"labels[{i}].id") for i, item in enumerate(labels)), "label")
    return tuple(labels)


def _label_names(raw: dict) -> dict[str, str]:
    names = raw.get("labelNames") or {}
    names = _object(names, "labelNames")
    return {color: _str(names, color, "labelNames") for color in names if isinstance(color, str)}


def _members(raw: dict) -> tuple[TrelloMember, ...]:
    members = []
    for index, item in enumerate(_list(raw, "members", "board")):
        where = f"members[{index}]"
        item = _object(item, where)
        members.append(
            TrelloMember(
                id=_id(item, "id", where),
                username=_str(item, "username", where),
                full_name=_str(item, "fullName", where),
                email=_str(item, "email", where),
            )
        )
    _unique(((item.id, f"members[{i}].id") for i, item in enumerate(members)), "member")
    return tuple(members)


def _attachments(card: dict, where: str) -> tuple[TrelloAttachment, ...]:
    attachments = []
    for index, item in enumerate(_list(card, "attachments", where)):
        at = f"{where}.attachments[{index}]"
        item = _object(item, at)
        url = _str(item, "url", at)
        attachments.append(TrelloAttachment(name=_str(item, "name", at) or url, url=url))
    return tuple(attachments)


def _cards(raw: dict, list_ids: set[str]) -> tuple[tuple[TrelloCard, ...], list[TrelloLabel]]:
    cards = []
    card_labels: dict[str, TrelloLabel] = {}
    for index, item in enumerate(_list(raw, "cards", "board", required=True)):
        where = f"cards[{index}]"
        item = _object(item, where)
        list_id = _str(item, "idList", where, required=True)
        if list_id not in list_ids:
            raise _error(
                f"{where}.idList",
                gettext("no list has the id “%(id)s”") % {"id": list_id},
                code="trello_reference",
            )
        for label_index, label in enumerate(_list(item, "labels", where)):
            label = _label(label, f"{where}.labels[{label_index}]")
            card_labels.setdefault(label.id, label)
        label_ids = _ids(item, "idLabels", where) or tuple(
            label["id"] for label in _list(item, "labels", where)
        )
        cards.append(
            TrelloCard(
                id=_id(item, "id", where),
                name=_str(item, "name", where, required=True),
                desc=_str(item, "desc", where),
                list_id=list_id,
                pos=_number(item, "pos", where, float(index)),
                closed=_bool(item, "closed", where),
                due=_date(item, "due", where),
                due_complete=_bool(item, "dueComplete", where),
                label_ids=label_ids,
                member_ids=_ids(item, "idMembers", where),
                attachments=_attachments(item, where),
                last_activity=_date(item, "dateLastActivity", where),
            )
        )
    _unique(((card.id, f"cards[{i}].id") for i, card in enumerate(cards)), "card")
    return tuple(cards), list(card_labels.values())


def _check_item_states(raw: dict) -> dict[str, bool]:
    """Older exports keep items' states on the cards (``checkItemStates``)."""
    states = {}
    for index, card in enumerate(raw["cards"]):
        for state_index, state in enumerate(_list(card, "checkItemStates", f"cards[{index}]")):
            where = f"cards[{index}].checkItemStates[{state_index}]"
            state = _object(state, where)
            states[_str(state, "idCheckItem", where)] = _str(state, "state", where) == "complete"
    return states


def _checklists(
    raw: dict, card_ids: set[str], states: dict[str, bool]
) -> tuple[TrelloChecklist, ...]:
    checklists = []
    item_ids = []
    for index, item in enumerate(_list(raw, "checklists", "board")):
        where = f"checklists[{index}]"
        item = _object(item, where)
        card_id = _str(item, "idCard", where, required=True)
        items = []
        for item_index, check in enumerate(_list(item, "checkItems", where)):
            at = f"{where}.checkItems[{item_index}]"
            check = _object(check, at)
            check_id = _id(check, "id", at)
            item_ids.append((check_id, f"{at}.id"))
            state = _str(check, "state", at) if "state" in check else None
            items.append(
                TrelloCheckItem(
                    id=check_id,
                    name=_str(check, "name", at, required=True),
                    complete=(state == "complete")
                    if state is not None
                    else states.get(check_id, False),
                    pos=_number(check, "pos", at, float(item_index)),
                )
            )
        checklist = TrelloChecklist(
            id=_id(item, "id", where),
            card_id=card_id,
            name=_str(item, "name", where),
            pos=_number(item, "pos", where, float(index)),
            items=tuple(sorted(items, key=lambda check: check.pos)),
        )
        if card_id in card_ids:  # a deleted card's checklist goes with it
            checklists.append(checklist)
    _unique(((c.id, f"checklists[{i}].id") for i, c in enumerate(checklists)), "checklist")
    _unique(item_ids, "check item")
    return tuple(sorted(checklists, key=lambda checklist: checklist.pos))


_ACTION_TYPES = {"createCard", "updateCard", "commentCard", "addMemberToCard"}


def _actions(raw: dict, card_ids: set[str]) -> tuple[tuple[TrelloAction, ...], int]:
    actions = []
    ids = []
    skipped = 0
    for index, item in enumerate(_list(raw, "actions", "board")):
        where = f"actions[{index}]"
        item = _object(item, where)
        ids.append((_id(item, "id", where), f"{where}.id"))
        action_type = _str(item, "type", where, required=True)
        if action_type not in _ACTION_TYPES:
            continue
        data = _object(item.get("data"), f"{where}.data")
        if action_type == "updateCard" and "listAfter" not in data:
            continue  # an edit of the card's text or dates, not a move: not imported
        card = _object(data.get("card"), f"{where}.data.card")
        card_id = _str(card, "id", f"{where}.data.card", required=True)
        if card_id not in card_ids:
            skipped += 1  # about a card deleted before the export
            continue
        actions.append(_action(item, data, action_type, card_id, where))
    _unique(ids, "action")
    # Exports list the newest first; history is written oldest first.
    actions.sort(key=lambda action: (action.date, action.id))
    return tuple(actions), skipped


def _action(item: dict, data: dict, action_type: str, card_id: str, where: str) -> TrelloAction:
    creator = item.get("memberCreator") or {}
    creator = _object(creator, f"{where}.memberCreator")
    date = _date(item, "date", where)
    if date is None:
        raise _missing(item, "date", where)
    fields: dict[str, Any] = {}
    if action_type == "createCard" and data.get("list") is not None:
        target = _object(data["list"], f"{where}.data.list")
        fields = {
            "list_id": _str(target, "id", f"{where}.data.list"),
            "list_name": _str(target, "name", f"{where}.data.list"),
        }
    elif action_type == "updateCard":
        after = _object(data["listAfter"], f"{where}.data.listAfter")
        before = _object(data.get("listBefore"), f"{where}.data.listBefore")
        fields = {
            "list_id": _str(after, "id", f"{where}.data.listAfter", required=True),
            "list_name": _str(after, "name", f"{where}.data.listAfter"),
            "before_id": _str(before, "id", f"{where}.data.listBefore", required=True),
            "before_name": _str(before, "name", f"{where}.data.listBefore"),
        }
    elif action_type == "commentCard":
        fields = {"text": _str(data, "text", f"{where}.data", required=True)}
    elif action_type == "addMemberToCard":
        fields = {"added_member_id": _str(data, "idMember", f"{where}.data")}
    return TrelloAction(
        id=item["id"],
        type=action_type,
        card_id=card_id,
        date=date,
        member_id=_str(item, "idMemberCreator", where),
        member_name=_str(creator, "fullName", f"{where}.memberCreator")
        or _str(creator, "username", f"{where}.memberCreator"),
        **fields,
    )


# --- Text -------------------------------------------------------------------------------------


def clean_text(value: str, limit: int, *, single_line: bool = False) -> str:
    """``value`` as user text: no control or unassigned characters, stripped, cut to ``limit``."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        value = " ".join(value.split())
    kept = (
        char
        for char in value
        if char in "\n\t" or unicodedata.category(char) not in _CONTROL or char == "\u200d"
    )
    return "".join(kept).strip()[:limit].strip()


def _markdown_text(value: str) -> str:
    """A name put inside Markdown that shows as typed (no links, emphasis or HTML from it)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!])", r"\\\1", html.escape(value, quote=False))


def trello_created_at(trello_id: str) -> datetime.datetime | None:
    """When a Trello object was created: its id starts with the Unix time in hex."""
    if not _TRELLO_ID.match(trello_id):
        return None
    return datetime.datetime.fromtimestamp(int(trello_id[:8], 16), tz=datetime.UTC)


# --- Plan (the preview) ----------------------------------------------------------------------


def guess_category(name: str) -> str:
    """The column category a list's name suggests (English and Russian), else ``todo``."""
    folded = name.casefold().replace("ё", "е")
    for category, pattern in _CATEGORY_PATTERNS:
        if pattern.search(folded):
            return category
    return ColumnCategory.TODO


def label_color(color: str) -> str | None:
    """The palette colour nearest to a Trello colour; None for one it does not know."""
    if not color:
        return LabelColor.SLATE
    base = color.removesuffix("_dark").removesuffix("_light")
    return TRELLO_COLORS.get(base)


@dataclass(frozen=True)
class ListPlan:
    trello_id: str
    name: str  # as in Trello
    closed: bool
    cards: int
    column_name: str  # proposed
    category: str  # proposed

    @property
    def include(self) -> bool:
        """Proposed: every list but a closed one left empty (a column of nothing)."""
        return not (self.closed and self.cards == 0)


@dataclass(frozen=True)
class MemberPlan:
    trello_id: str
    username: str
    full_name: str
    user_id: int | None
    matched_by: str  # "email", "username", "full_name" or ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.username or self.trello_id


@dataclass(frozen=True)
class ImportCounts:
    cards: int
    comments: int
    checklist_items: int
    labels: int
    attachments: int
    moves: int


@dataclass(frozen=True)
class ImportPlan:
    board_id: str
    board_name: str
    lists: tuple[ListPlan, ...]
    members: tuple[MemberPlan, ...]
    counts: ImportCounts
    warnings: tuple[str, ...]

    @property
    def large(self) -> bool:
        return self.counts.cards > BACKGROUND_CARDS


def count_board(board: TrelloBoard) -> ImportCounts:
    return ImportCounts(
        cards=len(board.cards),
        comments=len(board.actions_of("commentCard")),
        checklist_items=sum(len(checklist.items) for checklist in board.checklists),
        labels=len(board.labels),
        attachments=sum(len(card.attachments) for card in board.cards),
        moves=len(board.actions_of("updateCard")),
    )


def match_members(members: Iterable[TrelloMember], users: Iterable[User]) -> list[MemberPlan]:
    """Each Trello member with the user proposed for it: by e-mail, then username, then full
    name (case-insensitive; a full name two users share matches nobody)."""
    users = list(users)
    keys: dict[str, dict[str, int | None]] = {"email": {}, "username": {}, "full_name": {}}
    for user in users:
        for how, value in (
            ("email", user.email),
            ("username", user.username),
            ("full_name", user.full_name),
        ):
            folded = value.strip().casefold()
            if folded:
                index = keys[how]
                index[folded] = None if folded in index else user.pk  # ambiguous: nobody
    plans = []
    for member in members:
        user_id, matched_by = None, ""
        for how, value in (
            ("email", member.email),
            ("username", member.username),
            ("full_name", member.full_name),
        ):
            found = keys[how].get(value.strip().casefold()) if value.strip() else None
            if found is not None:
                user_id, matched_by = found, how
                break
        plans.append(
            MemberPlan(
                trello_id=member.id,
                username=clean_text(member.username, 150, single_line=True),
                full_name=clean_text(member.full_name, 150, single_line=True),
                user_id=user_id,
                matched_by=matched_by,
            )
        )
    return plans


def trello_plan(*, board: TrelloBoard, users: Iterable[User]) -> ImportPlan:
    """What an import of ``board`` into a team with members ``users`` would write. Pure."""
    per_list: dict[str, int] = defaultdict(int)
    for card in board.cards:
        per_list[card.list_id] += 1
    lists = tuple(
        ListPlan(
            trello_id=item.id,
            name=item.name,
            closed=item.closed,
            cards=per_list[item.id],
            column_name=clean_text(item.name, COLUMN_MAX, single_line=True)
            or gettext("Untitled list"),
            category=guess_category(item.name),
        )
        for item in board.lists
    )
    # Members who acted on the board without being in "members" (they left it).
    known = {member.id for member in board.members}
    former = {}
    for action in board.actions:
        if action.member_id and action.member_id not in known:
            former.setdefault(
                action.member_id,
                TrelloMember(id=action.member_id, username="", full_name=action.member_name),
            )
    members = tuple(match_members([*board.members, *former.values()], users))
    return ImportPlan(
        board_id=board.id,
        board_name=board.name,
        lists=lists,
        members=members,
        counts=count_board(board),
        warnings=tuple(_warnings(board, lists)),
    )


def _closed_list_warning(item: ListPlan) -> str:
    return ngettext(
        "The list “%(name)s” is closed (archived in Trello); it holds %(count)d card.",
        "The list “%(name)s” is closed (archived in Trello); it holds %(count)d cards.",
        item.cards,
    ) % {"name": item.column_name, "count": item.cards}


def _label_warning(label: TrelloLabel) -> str:
    return gettext(
        "The label “%(name)s” has a colour Internboard does not know (“%(color)s”); "
        "it becomes grey."
    ) % {"name": clean_text(label.name, LABEL_MAX, single_line=True), "color": label.color[:40]}


def _warnings(board: TrelloBoard, lists: tuple[ListPlan, ...]) -> list[str]:
    warnings = [_closed_list_warning(item) for item in lists if item.closed]
    closed_cards = sum(1 for card in board.cards if card.closed)
    if closed_cards:
        warnings.append(
            ngettext(
                "%(count)d card is closed (archived in Trello); it is imported as archived.",
                "%(count)d cards are closed (archived in Trello); they are imported as archived.",
                closed_cards,
            )
            % {"count": closed_cards}
        )
    warnings.extend(
        _label_warning(label) for label in board.labels if label_color(label.color) is None
    )
    if board.skipped_actions:
        warnings.append(
            ngettext(
                "%(count)d history entry is about a card the export does not hold; it is skipped.",
                "%(count)d history entries are about cards the export does not hold; "
                "they are skipped.",
                board.skipped_actions,
            )
            % {"count": board.skipped_actions}
        )
    if len(lists) > MAX_COLUMNS:
        warnings.append(
            gettext("A board can have at most %(count)d columns: skip some lists.")
            % {"count": MAX_COLUMNS}
        )
    return warnings


# --- Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListChoice:
    """What becomes of one list: a column (``include``) named ``name`` of ``category``, or
    nothing (its cards are skipped). A closed list included becomes a column of archived
    tasks."""

    include: bool
    name: str
    category: str


@dataclass(frozen=True)
class ImportChoices:
    lists: dict[str, ListChoice]  # Trello list id → choice
    members: dict[str, int | None]  # Trello member id → user id

    @classmethod
    def proposed(cls, plan: ImportPlan) -> ImportChoices:
        return cls(
            lists={
                item.trello_id: ListChoice(
                    include=item.include, name=item.column_name, category=item.category
                )
                for item in plan.lists
            },
            members={member.trello_id: member.user_id for member in plan.members},
        )


@dataclass(frozen=True)
class ImportResult:
    project: Project
    reimport: bool
    columns: int = 0
    labels: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0
    comments: int = 0
    checklist_items: int = 0
    moves: int = 0


ProgressCallback = Callable[[int, int], None]


def team_users(team: Team) -> list[User]:
    """The team's active members: the users Trello members may become."""
    return [membership.user for membership in team_members(team)]


def empty_projects(team: Team) -> list[Project]:
    """The team's live projects without a task: those a board may be imported into."""
    return list(
        Project.objects.filter(team=team, archived=False, tasks__isnull=True)
        .distinct()
        .order_by("name")
    )


def team_project(team: Team, pk: int | None) -> Project | None:
    return Project.objects.filter(team=team, pk=pk).first() if pk else None


def trello_reimport_target(*, team: Team, board_id: str) -> Project | None:
    """The team's project this board was imported into before, if any."""
    ref = (
        ImportedObject.objects.filter(
            project__team=team, source=SOURCE, kind="board", external_id=board_id
        )
        .select_related("project")
        .order_by("-pk")
        .first()
    )
    return ref.project if ref else None


def _check_choices(plan: ImportPlan, choices: ImportChoices, users: dict[int, User]) -> None:
    names: set[str] = set()
    for item in plan.lists:
        choice = choices.lists.get(item.trello_id)
        if choice is None or not choice.include:
            continue
        if choice.category not in ColumnCategory.values:
            raise DomainError(_("Unknown column category."), code="category", field="lists")
        name = clean_text(choice.name, COLUMN_MAX, single_line=True)
        if not name:
            raise DomainError(_("Every column needs a name."), code="column_name", field="lists")
        if name.casefold() in names:
            raise DomainError(
                _("Two lists would become columns named “%(name)s”: rename one.") % {"name": name},
                code="column_name",
                field="lists",
            )
        names.add(name.casefold())
    for user_id in choices.members.values():
        if user_id is not None and user_id not in users:
            raise DomainError(
                _("Only a member of the team can stand for a Trello member."),
                code="member",
                field="members",
            )


def _project_key(name: str, team: Team) -> str:
    """A free key from the board's name: initials of its Latin words (``HGIPB``), else TRELLO."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9]*", name)
    base = "".join(word[0] for word in words).upper() if len(words) > 1 else ""
    if len(base) < 2:
        base = (words[0][:6].upper() if words else "") or "TRELLO"
    base = base[:8] if len(base) >= 2 else "TRELLO"
    taken = set(Project.objects.filter(team=team).values_list("key", flat=True))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base[: 10 - len(str(n))]}{n}"
    return key


def _target(
    *, team: Team, by: User, board: TrelloBoard, project: Project | None, key: str
) -> tuple[Project, bool]:
    """The project to write into and whether it starts empty (False: a re-import)."""
    previous = trello_reimport_target(team=team, board_id=board.id)
    if project is not None:
        if project.team_id != team.pk:
            raise DomainError(_("Unknown project."), code="project", field="project")
        if previous is not None and previous.pk == project.pk:
            return project, False
        if Task.objects.filter(project=project).exists():
            raise DomainError(
                _("“%(name)s” already has tasks: import into an empty project or a new one.")
                % {"name": project.name},
                code="project_not_empty",
                field="project",
            )
        return project, True
    if previous is not None:
        return previous, False
    key = clean_project_key(key) if key else _project_key(board.name, team)
    project = project_create(
        team=team,
        by=by,
        name=clean_text(board.name, PROJECT_NAME_MAX, single_line=True) or gettext("Trello board"),
        key=key,
        description=clean_text(board.desc, 10000),
    )
    return project, True


def trello_import(
    *,
    team: Team,
    by: User,
    board: TrelloBoard,
    choices: ImportChoices | None = None,
    project: Project | None = None,
    key: str = "",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Write ``board`` into ``team``: all of it in one transaction, or nothing.

    The target is ``project`` (empty, or the one this board was imported
    into), else the project an earlier import of the board made, else a new
    project (key ``key`` or one made from the board's name). ``choices``
    defaults to the plan's proposals. Precondition: ``by`` may manage the
    team (``teams.permissions.get_team_for_management``).
    """
    users = {user.pk: user for user in team_users(team)}
    plan = trello_plan(board=board, users=users.values())
    choices = choices or ImportChoices.proposed(plan)
    _check_choices(plan, choices, users)
    with transaction.atomic():
        target, fresh = _target(team=team, by=by, board=board, project=project, key=key)
        # Serialises imports into the project (and its task numbers) with task_create.
        Project.objects.select_for_update(no_key=True).filter(pk=target.pk).values_list("pk").get()
        importer = _Importer(
            project=target,
            by=by,
            board=board,
            plan=plan,
            choices=choices,
            users=users,
            fresh=fresh,
            progress=progress,
        )
        result = importer.run()
        transaction.on_commit(partial(_queue_analytics, team_id=team.pk))
    return result


def _queue_analytics(*, team_id: int) -> None:
    """Rebuild the team's analytics once, now that the imported history is committed.

    An import records no per-task events: webhooks are not sent a thousand
    ``task.created``, and analytics would recompute the project's days once per
    task. Analytics sits above tasks, so its rebuild task is named, as the beat
    schedule names it, not imported; the nightly rebuild covers a lost message.
    """
    task = celery_app.tasks.get(ANALYTICS_REBUILD_TASK)
    if task is None:  # analytics not installed
        logger.warning(
            "No %s registered; analytics catch up at the nightly rebuild.", ANALYTICS_REBUILD_TASK
        )
        return
    enqueue(task, team_id=team_id)


@dataclass
class _CardState:
    """One card's task as it will be written, and what its history says."""

    card: TrelloCard
    task: Task
    new: bool
    created_at: datetime.datetime
    created_in: str  # Trello list id
    moves: list[TrelloAction] = field(default_factory=list)
    # A re-imported task as it was before: where the history written now starts.
    previous_column_id: int | None = None
    previous_archived: bool = False


class _Importer:
    """The writes of one import; every lookup is read once up front (bulk writes after)."""

    def __init__(
        self,
        *,
        project: Project,
        by: User,
        board: TrelloBoard,
        plan: ImportPlan,
        choices: ImportChoices,
        users: dict[int, User],
        fresh: bool,
        progress: ProgressCallback | None,
    ):
        self.project = project
        self.by = by
        self.board = board
        self.plan = plan
        self.choices = choices
        self.users = users
        self.fresh = fresh
        self.progress = progress
        self.now = timezone.now()
        self.known: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, external_id, object_id in ImportedObject.objects.filter(
            project=project, source=SOURCE
        ).values_list("kind", "external_id", "object_id"):
            self.known[kind][external_id] = object_id
        self.refs: list[tuple[str, str, models.Model]] = []
        self.names = {member.trello_id: member.display_name for member in plan.members}
        self.columns: dict[str, Column] = {}  # Trello list id → column
        self.column_by_pk: dict[int, Column] = {}  # every column of the project
        self.list_names = {item.id: item.name for item in board.lists}
        self.closed_lists = {item.id for item in board.lists if item.closed}
        self.counts: dict[str, int] = defaultdict(int)

    # -- helpers

    def _ref(self, kind: str, external_id: str, obj: models.Model) -> None:
        self.refs.append((kind, external_id, obj))

    def _user(self, member_id: str) -> User | None:
        user_id = self.choices.members.get(member_id)
        return self.users.get(user_id) if user_id is not None else None

    def _actor(self, action: TrelloAction) -> tuple[User, dict[str, str]]:
        """Who did it here: the matched user, else the importing user with the original name."""
        user = self._user(action.member_id)
        if user is not None:
            return user, {}
        name = self.names.get(action.member_id) or action.member_name or action.member_id
        return self.by, {"trello_member": clean_text(name, 150, single_line=True)}

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    # -- steps

    def run(self) -> ImportResult:
        total = len(self.board.cards) + 2
        self._tick(0, total)
        self._columns()
        self._labels()
        self._tick(1, total)
        states = self._tasks(total)
        self._history(states)
        self._checklists(states)
        self._comments(states)
        self._ref("board", self.board.id, self.project)
        self._save_refs()
        self._tick(total, total)
        return ImportResult(
            project=self.project,
            reimport=not self.fresh,
            columns=self.counts["columns"],
            labels=self.counts["labels"],
            tasks_created=self.counts["tasks_created"],
            tasks_updated=self.counts["tasks_updated"],
            comments=self.counts["comments"],
            checklist_items=self.counts["checklist_items"],
            moves=self.counts["moves"],
        )

    def _columns(self) -> None:
        if self.fresh:
            # A new project's default columns, or an empty project's: the board's lists
            # take their place (no task refers to them).
            Column.objects.filter(project=self.project).delete()
        existing = {column.pk: column for column in Column.objects.filter(project=self.project)}
        taken = {column.name.casefold() for column in existing.values()}
        position = max((column.position for column in existing.values()), default=-1) + 1
        created: list[tuple[str, Column]] = []
        for item in self.board.lists:
            choice = self.choices.lists.get(item.id)
            if choice is None or not choice.include:
                continue
            column = existing.get(self.known["list"].get(item.id, 0))
            if column is not None:
                self.columns[item.id] = column
                continue
            name = _free_name(clean_text(choice.name, COLUMN_MAX, single_line=True), taken)
            column = Column(
                project=self.project, name=name, category=choice.category, position=position
            )
            position += 1
            created.append((item.id, column))
            self.columns[item.id] = column
        # The review workflow needs a column of every category (projects.services).
        present = {column.category for column in [*existing.values(), *self.columns.values()]}
        defaults = {category: name for name, category in reversed(DEFAULT_COLUMNS)}
        for category in ColumnCategory.values:
            if category not in present:
                name = _free_name(gettext(defaults[category]), taken)
                created.append(
                    (
                        "",
                        Column(
                            project=self.project, name=name, category=category, position=position
                        ),
                    )
                )
                position += 1
        if position > MAX_COLUMNS:
            raise DomainError(
                _("A board can have at most %(count)d columns: skip some lists.")
                % {"count": MAX_COLUMNS},
                code="too_many_columns",
                field="lists",
            )
        Column.objects.bulk_create([column for _, column in created])
        self.column_by_pk = {
            column.pk: column for column in [*existing.values(), *(c for _, c in created)]
        }
        for list_id, column in created:
            if list_id:
                self._ref("list", list_id, column)
        self.counts["columns"] = len(created)

    def _labels(self) -> None:
        existing = {label.pk: label for label in Label.objects.filter(project=self.project)}
        by_name = {label.name.casefold(): label for label in existing.values()}
        self.labels: dict[str, Label] = {}
        new: list[tuple[str, Label]] = []
        for trello_label in self.board.labels:
            label = existing.get(self.known["label"].get(trello_label.id, 0))
            name = (
                clean_text(trello_label.name, LABEL_MAX, single_line=True)
                or clean_text(
                    self.board.label_names.get(trello_label.color, ""), LABEL_MAX, single_line=True
                )
                or trello_label.color[:LABEL_MAX]
                or gettext("Trello label")
            )
            if label is None:
                label = by_name.get(name.casefold())
                if label is None:
                    label = Label(
                        project=self.project,
                        name=name,
                        color=label_color(trello_label.color) or LabelColor.SLATE,
                    )
                    by_name[name.casefold()] = label
                    new.append((trello_label.id, label))
                elif trello_label.id not in self.known["label"]:
                    self._ref("label", trello_label.id, label)
            self.labels[trello_label.id] = label
        Label.objects.bulk_create([label for _, label in new])
        for trello_id, label in new:
            self._ref("label", trello_id, label)
        self.counts["labels"] = len(new)

    def _description(self, card: TrelloCard, due_note: str) -> str:
        notes = []
        if due_note:
            notes.append(due_note)
        links = []
        for attachment in card.attachments:
            name = _markdown_text(clean_text(attachment.name, 200, single_line=True))
            url = clean_text(attachment.url, 2000, single_line=True)
            if re.match(r"^https?://[^\s<>]+$", url):
                links.append(f"- [{name or url}](<{url}>)")
            else:
                links.append(f"- {name or _markdown_text(url)}")
        if links:
            notes.append(gettext("Attachments in Trello:") + "\n\n" + "\n".join(links))
        appendix = "\n\n".join(notes)
        room = DESCRIPTION_MAX - (len(appendix) + 2 if appendix else 0)
        desc = clean_text(card.desc, max(room, 0))
        return "\n\n".join(part for part in (desc, appendix) if part)[:DESCRIPTION_MAX]

    def _tasks(self, total: int) -> list[_CardState]:
        creations: dict[str, TrelloAction] = {}
        moves: dict[str, list[TrelloAction]] = defaultdict(list)
        for action in self.board.actions:
            if action.type == "createCard":
                creations.setdefault(action.card_id, action)
            elif action.is_move:
                moves[action.card_id].append(action)
        existing = {
            task.pk: task
            for task in Task.objects.filter(
                project=self.project, pk__in=self.known["card"].values()
            )
        }
        next_number = (
            Task.objects.filter(project=self.project).aggregate(n=models.Max("number"))["n"] or 0
        ) + 1
        next_rank = {
            column_id: (last or 0) + ordering.RANK_STEP
            for column_id, last in Task.objects.filter(project=self.project, archived=False)
            .order_by()
            .values("column_id")
            .annotate(last=models.Max("rank"))
            .values_list("column_id", "last")
        }
        states = []
        for done, card in enumerate(self.board.cards, start=1):
            column = self.columns.get(card.list_id)
            if column is None:
                continue  # its list is skipped
            creation = creations.get(card.id)
            card_moves = moves.get(card.id, [])
            created_at = (
                creation.date if creation else trello_created_at(card.id) or card.last_activity
            ) or self.now
            created_in = (
                (creation.list_id if creation and creation.list_id else "")
                or (card_moves[0].before_id if card_moves else "")
                or card.list_id
            )
            task = existing.get(self.known["card"].get(card.id, 0))
            new = task is None
            previous = (None, False) if new else (task.column_id, task.archived)
            if new:
                task = Task(
                    project=self.project,
                    number=next_number,
                    reporter=self.by,
                    created_at=created_at,
                )
                next_number += 1
            archived = card.closed or card.list_id in self.closed_lists
            if archived:
                rank = None
            elif not new and not task.archived and task.column_id == column.pk:
                rank = task.rank
            else:
                rank = next_rank.get(column.pk, ordering.RANK_STEP)
                next_rank[column.pk] = rank + ordering.RANK_STEP
            due_on, due_note = self._due(card, column)
            task.title = clean_text(card.name, TITLE_MAX, single_line=True) or gettext(
                "Untitled card"
            )
            task.description = self._description(card, due_note)
            task.column = column
            task.rank = rank
            task.archived = archived
            task.due_on = due_on
            task.assignee = self._user(card.member_ids[0]) if card.member_ids else None
            # A re-import is a change now (open boards poll for it); a new task was last
            # touched when the card was.
            task.updated_at = (card.last_activity or self.now) if new else self.now
            if not new:
                task.version += 1
            state = _CardState(
                card=card,
                task=task,
                new=new,
                created_at=created_at,
                created_in=created_in,
                moves=card_moves,
                previous_column_id=previous[0],
                previous_archived=previous[1],
            )
            self._stamp(state)
            states.append(state)
            if done % 200 == 0:
                self._tick(1 + done, total)
        fields = [
            "title", "description", "column", "rank", "archived", "due_on", "assignee",
            "updated_at", "started_at", "completed_at", "version",
        ]  # fmt: skip
        Task.objects.bulk_update([s.task for s in states if not s.new], fields, batch_size=500)
        Task.objects.bulk_create([s.task for s in states if s.new], batch_size=500)
        for state in states:
            if state.new:
                self._ref("card", state.card.id, state.task)
        self.counts["tasks_created"] = sum(1 for s in states if s.new)
        self.counts["tasks_updated"] = len(states) - self.counts["tasks_created"]
        self._task_labels(states)
        return states

    def _due(self, card: TrelloCard, column: Column) -> tuple[datetime.date | None, str]:
        """The due date, and a note when a due date marked complete is kept out of it.

        A due date Trello marks complete is done with: kept on a task in a done
        column (on-time analytics read it), noted in the description otherwise,
        so the task does not show as overdue.
        """
        if card.due is None:
            return None, ""
        day = timezone.localtime(card.due, timezone.get_default_timezone()).date()
        if card.due_complete and column.category != ColumnCategory.DONE:
            return None, gettext("Due in Trello: %(date)s (marked complete).") % {
                "date": day.isoformat()
            }
        return day, ""

    def _category(self, list_id: str) -> str:
        column = self.columns.get(list_id)
        return column.category if column is not None else ""

    def _stamp(self, state: _CardState) -> None:
        """started_at and completed_at from the card's history, as the services would."""
        entries = [(state.created_at, state.created_in)] + [
            (move.date, move.list_id) for move in state.moves
        ]
        if entries[-1][1] != state.card.list_id:  # history cut short: reconciled below
            entries.append((self._reconcile_date(state), state.card.list_id))
        started = [
            date
            for date, list_id in entries
            if self._category(list_id)
            in (ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW, ColumnCategory.DONE)
        ]
        state.task.started_at = min(started) if started else None
        done = [date for date, list_id in entries if self._category(list_id) == ColumnCategory.DONE]
        in_done = state.task.column.category == ColumnCategory.DONE
        state.task.completed_at = max(done) if in_done and done else None

    def _reconcile_date(self, state: _CardState) -> datetime.datetime:
        last = state.moves[-1].date if state.moves else state.created_at
        return max(state.card.last_activity or last, last)

    def _task_labels(self, states: list[_CardState]) -> None:
        through = Task.labels.through
        rows = []
        for state in states:
            labels = {self.labels[i].pk for i in state.card.label_ids if i in self.labels}
            if state.new:
                rows.extend(through(task_id=state.task.pk, label_id=pk) for pk in sorted(labels))
            elif set(state.task.labels.values_list("pk", flat=True)) != labels:
                state.task.labels.set(sorted(labels))
        through.objects.bulk_create(rows, batch_size=1000)

    def _activity(
        self,
        state: _CardState,
        kind: str,
        *,
        at: datetime.datetime,
        actor: User | None,
        from_list: str = "",
        to_list: str = "",
        from_name: str = "",
        to_name: str = "",
        from_column: Column | None = None,
        to_column: Column | None = None,
        **data: Any,
    ) -> Activity:
        source = self.columns.get(from_list) if from_list else from_column
        target = self.columns.get(to_list) if to_list else to_column
        return Activity(
            task=state.task,
            actor=actor,
            kind=kind,
            from_column=source,
            to_column=target,
            from_category=source.category if source else "",
            to_category=target.category if target else "",
            from_column_name=(source.name if source else from_name)[:COLUMN_MAX],
            to_column_name=(target.name if target else to_name)[:COLUMN_MAX],
            data={"source": SOURCE, **data},
            created_at=at,
        )

    def _history(self, states: list[_CardState]) -> None:
        """Activity rows with the original dates: creation, members, list moves, archiving."""
        added: dict[tuple[str, str], TrelloAction] = {}
        creations: dict[str, TrelloAction] = {}
        for action in self.board.actions:
            if action.type == "addMemberToCard":
                added.setdefault((action.card_id, action.added_member_id), action)
            elif action.type == "createCard":
                creations.setdefault(action.card_id, action)
        rows: list[tuple[str, Activity]] = []
        seen = self.known["activity"]
        for state in states:
            card = state.card
            creation = creations.get(card.id)
            ref = creation.id if creation else f"created:{card.id}"
            if ref not in seen:
                actor, extra = self._actor(creation) if creation else (self.by, {})
                name = self.list_names.get(state.created_in) or (
                    creation.list_name if creation else ""
                )
                created = self._activity(
                    state,
                    ActivityKind.CREATED,
                    at=state.created_at,
                    actor=actor,
                    to_list=state.created_in,
                    to_name=name,
                    **extra,
                )
                rows.append((ref, created))
            for index, member_id in enumerate(card.member_ids):
                ref = f"member:{card.id}:{member_id}"
                if ref in seen:
                    continue
                action = added.get((card.id, member_id))
                actor, extra = self._actor(action) if action else (self.by, {})
                user = self._user(member_id) if index == 0 else None
                name = clean_text(self.names.get(member_id, member_id), 150, single_line=True)
                rows.append(
                    (
                        ref,
                        self._activity(
                            state,
                            ActivityKind.ASSIGNED,
                            at=action.date if action else state.created_at,
                            actor=actor,
                            # An assignee's id, or a Trello member's (the line names them).
                            assignee=user.pk if user else f"trello:{member_id}",
                            assignee_name=user.display_name
                            if user
                            else gettext("%(name)s (in Trello)") % {"name": name},
                            **extra,
                        ),
                    )
                )
            written: list[TrelloAction] = []
            for move in state.moves:
                if move.id in seen:
                    continue
                actor, extra = self._actor(move)
                rows.append(
                    (
                        move.id,
                        self._activity(
                            state,
                            ActivityKind.MOVED,
                            at=move.date,
                            actor=actor,
                            from_list=move.before_id,
                            to_list=move.list_id,
                            from_name=self.list_names.get(move.before_id) or move.before_name,
                            to_name=self.list_names.get(move.list_id) or move.list_name,
                            **extra,
                        ),
                    )
                )
                self.counts["moves"] += 1
                written.append(move)
            if not state.new:
                rows.extend(("", row) for row in self._reimport_changes(state, written))
                continue
            last = state.moves[-1].list_id if state.moves else state.created_in
            ref = f"moved:{card.id}:{last}:{card.list_id}"
            if last != card.list_id and ref not in seen:
                # The export's history stops short of where the card is (Trello keeps
                # the last 1,000 actions): one move closes the gap, so the board's
                # flow adds up.
                rows.append(
                    (
                        ref,
                        self._activity(
                            state,
                            ActivityKind.MOVED,
                            at=self._reconcile_date(state),
                            actor=self.by,
                            from_list=last,
                            to_list=card.list_id,
                            from_name=self.list_names.get(last, ""),
                        ),
                    )
                )
            ref = f"archived:{card.id}"
            if state.task.archived and ref not in seen:
                archived = self._activity(
                    state, ActivityKind.ARCHIVED, at=self._reconcile_date(state), actor=self.by
                )
                rows.append((ref, archived))
        Activity.objects.bulk_create([activity for _, activity in rows], batch_size=1000)
        for ref, activity in rows:
            if ref:
                self._ref("activity", ref, activity)

    def _reimport_changes(self, state: _CardState, moves: list[TrelloAction]) -> list[Activity]:
        """What a re-import changes beyond the Trello history it adds: a task moved or archived
        here meanwhile goes where Trello has it, and its history says so (now, by the
        importer), so the board's flow still adds up."""
        task = state.task
        ends = self.column_by_pk.get(state.previous_column_id)
        for move in moves:
            ends = self.columns.get(move.list_id, ends)
        rows = []
        if ends is not None and ends.pk != task.column.pk:
            rows.append(
                self._activity(
                    state,
                    ActivityKind.MOVED,
                    at=self.now,
                    actor=self.by,
                    from_column=ends,
                    to_column=task.column,
                )
            )
        if state.previous_archived != task.archived:
            kind = ActivityKind.ARCHIVED if task.archived else ActivityKind.RESTORED
            rows.append(self._activity(state, kind, at=self.now, actor=self.by))
        return rows

    def _checklists(self, states: list[_CardState]) -> None:
        by_card: dict[str, list[TrelloChecklist]] = defaultdict(list)
        for checklist in self.board.checklists:
            by_card[checklist.card_id].append(checklist)
        existing = {
            item.pk: item
            for item in ChecklistItem.objects.filter(
                task__project=self.project, pk__in=self.known["check_item"].values()
            )
        }
        last = dict(
            ChecklistItem.objects.filter(task__project=self.project)
            .order_by()
            .values("task_id")
            .annotate(p=models.Max("position"))
            .values_list("task_id", "p")
        )
        new: list[tuple[str, ChecklistItem]] = []
        changed = []
        for state in states:
            checklists = by_card.get(state.card.id, [])
            position = last.get(state.task.pk, -1) + 1 if not state.new else 0
            for checklist in checklists:
                prefix = (
                    clean_text(checklist.name, 60, single_line=True) + ": "
                    if len(checklists) > 1 and checklist.name.strip()
                    else ""
                )
                for check in checklist.items:
                    text = clean_text(prefix + check.name, CHECKLIST_MAX, single_line=True) or "—"
                    item = existing.get(self.known["check_item"].get(check.id, 0))
                    if item is not None:
                        if (item.text, item.done) != (text, check.complete):
                            item.text, item.done = text, check.complete
                            changed.append(item)
                        continue
                    new.append(
                        (
                            check.id,
                            ChecklistItem(
                                task=state.task, text=text, done=check.complete, position=position
                            ),
                        )
                    )
                    position += 1
        ChecklistItem.objects.bulk_update(changed, ["text", "done"], batch_size=1000)
        ChecklistItem.objects.bulk_create([item for _, item in new], batch_size=1000)
        for check_id, item in new:
            self._ref("check_item", check_id, item)
        self.counts["checklist_items"] = len(new)

    def _comment_body(self, action: TrelloAction) -> str:
        text = clean_text(action.text, COMMENT_MAX)
        if self._user(action.member_id) is not None:
            return text or "—"
        name = self.names.get(action.member_id) or action.member_name or action.member_id
        name = _markdown_text(clean_text(name, 150, single_line=True))
        header = gettext("**%(name)s** wrote in Trello:") % {"name": name}
        return f"{header}\n\n{text}"[:COMMENT_MAX]

    def _comments(self, states: list[_CardState]) -> None:
        tasks = {state.card.id: state for state in states}
        existing = {
            comment.pk: comment
            for comment in Comment.objects.filter(
                task__project=self.project, pk__in=self.known["comment"].values()
            )
        }
        new: list[tuple[TrelloAction, Comment]] = []
        changed = []
        for action in self.board.actions_of("commentCard"):
            state = tasks.get(action.card_id)
            if state is None:
                continue  # on a skipped list
            body = self._comment_body(action)
            comment = existing.get(self.known["comment"].get(action.id, 0))
            if comment is not None:
                if comment.body != body:
                    comment.body = body
                    changed.append(comment)
                continue
            author = self._user(action.member_id) or self.by
            new.append(
                (action, Comment(task=state.task, author=author, body=body, created_at=action.date))
            )
        Comment.objects.bulk_update(changed, ["body"], batch_size=1000)
        Comment.objects.bulk_create([comment for _, comment in new], batch_size=1000)
        activities = []
        for action, comment in new:
            self._ref("comment", action.id, comment)
            actor, extra = self._actor(action)
            activities.append(
                self._activity(
                    tasks[action.card_id],
                    ActivityKind.COMMENTED,
                    at=action.date,
                    actor=actor,
                    comment=comment.pk,
                    **extra,
                )
            )
        Activity.objects.bulk_create(activities, batch_size=1000)
        self.counts["comments"] = len(new)

    def _save_refs(self) -> None:
        rows = [
            ImportedObject(
                project=self.project,
                source=SOURCE,
                kind=kind,
                external_id=external_id,
                object_id=obj.pk,
            )
            for kind, external_id, obj in self.refs
            if self.known[kind].get(external_id) != obj.pk
        ]
        # A mapping to a row deleted since the last import points to its replacement now.
        ImportedObject.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["project", "source", "kind", "external_id"],
            update_fields=["object_id"],
        )


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``… when the project has a column by that name; marks it taken."""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = name[: COLUMN_MAX - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


# --- Uploads waiting between preview and import, and background imports ---------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_TTL = datetime.timedelta(days=1)
JOB_TTL = 24 * 3600  # seconds a finished job's state stays readable
JOB_KEY = "trello-import:{job}"


def _upload_path(token: str, suffix: str = ".json") -> Any:
    if not _TOKEN.match(token):  # the token names a file: nothing else may reach the path
        raise DomainError(_("This upload has expired: upload the file again."), code="upload")
    return settings.TRELLO_IMPORT_DIR / f"{token}{suffix}"


def upload_store(*, chunks: Iterable[bytes], size: int) -> str:
    """Keep a valid export server-side under a random token; DomainError for a bad one.

    Over the cap it is refused unread. Files older than a day (previews never
    imported) are removed on the way.
    """
    check_size(size)
    directory = settings.TRELLO_IMPORT_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    cutoff = (timezone.now() - UPLOAD_TTL).timestamp()
    for old in directory.glob("*.json"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    written = 0
    path = _upload_path(token)
    with open(path, "xb") as handle:
        os.chmod(path, 0o600)
        for chunk in chunks:
            written += len(chunk)
            if written > max_bytes():  # the declared size lied
                handle.close()
                path.unlink(missing_ok=True)
                check_size(written)
            handle.write(chunk)
    try:
        trello_parse(data=upload_read(token))  # a bad file is refused now, not at the preview
    except DomainError:
        upload_discard(token)
        raise
    return token


def upload_read(token: str) -> bytes:
    path = _upload_path(token)
    try:
        check_size(path.stat().st_size)
        return path.read_bytes()
    except FileNotFoundError:
        raise DomainError(
            _("This upload has expired: upload the file again."), code="upload"
        ) from None


def upload_discard(token: str) -> None:
    for suffix in (".json", ".job.json"):
        with contextlib.suppress(DomainError):
            _upload_path(token, suffix).unlink(missing_ok=True)


def choices_to_json(choices: ImportChoices) -> dict[str, Any]:
    return {
        "lists": {
            list_id: [choice.include, choice.name, str(choice.category)]
            for list_id, choice in choices.lists.items()
        },
        "members": dict(choices.members),
    }


def choices_from_json(data: dict[str, Any]) -> ImportChoices:
    return ImportChoices(
        lists={
            list_id: ListChoice(include=bool(include), name=str(name), category=str(category))
            for list_id, (include, name, category) in data["lists"].items()
        },
        members={member: user for member, user in data["members"].items()},
    )


@dataclass(frozen=True)
class JobState:
    state: str  # "queued", "running", "done" or "failed"
    done: int = 0
    total: int = 0
    team_id: int = 0
    user_id: int = 0
    project_id: int | None = None
    error: str = ""

    @property
    def percent(self) -> int:
        return 100 if self.state == "done" else (100 * self.done // self.total if self.total else 0)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


def job_state(job: str) -> JobState | None:
    """A background import's progress (best effort: None once forgotten or with Redis down)."""
    if not _TOKEN.match(job):
        return None
    raw = cache.get(JOB_KEY.format(job=job))
    return JobState(**raw) if isinstance(raw, dict) else None


def _set_job(job: str, state: JobState) -> None:
    cache.set(JOB_KEY.format(job=job), asdict(state), timeout=JOB_TTL)


def trello_job_prepare(
    *,
    token: str,
    team: Team,
    by: User,
    choices: ImportChoices,
    project: Project | None,
    key: str,
) -> str:
    """Record what a background import is to do, next to its upload; the job's id.

    The caller queues ``tasks.tasks.trello_import_task(job=…)``; the job id is
    the upload's token, so one upload is imported once.
    """
    spec = {
        "team": team.pk,
        "user": by.pk,
        "project": project.pk if project else None,
        "key": key,
        "choices": choices_to_json(choices),
    }
    _upload_path(token, ".job.json").write_text(json.dumps(spec))
    _set_job(token, JobState(state="queued", team_id=team.pk, user_id=by.pk))
    return token


def trello_job_run(*, job: str) -> None:
    """Run a background import prepared by ``trello_job_prepare``; its outcome goes to the job
    state. Safe to run twice: a second run updates what the first imported."""
    from accounts.models import User
    from teams.models import Team

    spec_path = _upload_path(job, ".job.json")
    if not spec_path.exists():
        state = job_state(job)
        if state is not None and not state.finished:
            # Never prepared here: the web process wrote it where this worker cannot read.
            logger.error("Trello import %s: no job file in %s.", job, settings.TRELLO_IMPORT_DIR)
            _set_job(job, replace(state, state="failed", error=gettext("The import failed.")))
        return  # else finished already (its files are removed): a redelivered message
    spec = json.loads(spec_path.read_text())
    base = JobState(state="running", team_id=spec["team"], user_id=spec["user"])
    _set_job(job, base)

    def progress(done: int, total: int) -> None:
        _set_job(job, replace(base, done=done, total=total))

    try:
        team = Team.objects.get(pk=spec["team"])
        by = User.objects.get(pk=spec["user"])
        project = Project.objects.filter(pk=spec["project"], team=team).first()
        board = trello_parse(data=upload_read(job))
        result = trello_import(
            team=team,
            by=by,
            board=board,
            choices=choices_from_json(spec["choices"]),
            project=project,
            key=spec["key"],
            progress=progress,
        )
    except DomainError as error:
        _set_job(job, replace(base, state="failed", error=str(error)))
    except Exception:
        # A bug, not a refusal: the page says so and the worker logs the traceback.
        _set_job(job, replace(base, state="failed", error=gettext("The import failed.")))
        raise
    else:
        _set_job(job, replace(base, state="done", project_id=result.project.pk))
    upload_discard(job)
