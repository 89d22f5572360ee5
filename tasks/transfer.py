"""Taking a project's tasks in and out: CSV import and export, and a full JSON backup.

- **CSV import** (``tasks_csv_read`` → ``tasks_csv_guess_mapping`` →
  ``tasks_csv_plan`` → ``tasks_csv_import``): a spreadsheet from another
  tracker becomes tasks. The uploader maps the file's columns to task fields
  (guessed from header names in English and Russian); every line is checked
  before anything is written, and the import is all or nothing, with every
  problem reported by line. Reading and decoding are those of every CSV
  import (``config.csv_files``).
- **CSV export** (``tasks_csv_write``): every field of a project's tasks, one
  row each, cells that a spreadsheet would run as formulas neutralised.
- **JSON export and import** (``project_export``, ``project_import``): the
  project with its columns, labels, tasks, comments, checklists, reviews and
  activity, people referenced by username and e-mail, restorable into another
  team or another Internboard. Exporting what was imported gives the same
  document apart from the export time (ids never appear in it).
"""

from __future__ import annotations

import datetime
import json
import re
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.csv_files import (
    ImportMessage,
    ImportProblemsError,
    csv_records,
    decode_csv,
    neutralise_cell,
)
from config.errors import DomainError
from integrations.models import EventType
from integrations.services import event_record
from projects.models import Column, ColumnCategory, Project, clean_project_key
from projects.selectors import project_columns
from tasks import services
from tasks.events import task_payload
from tasks.models import (
    Activity,
    ActivityKind,
    Attachment,
    ChecklistItem,
    Comment,
    Label,
    LabelColor,
    Priority,
    Review,
    ReviewDecision,
    Task,
)
from teams.selectors import team_members

if TYPE_CHECKING:
    from _csv import _writer as CsvWriter

    from tasks.selectors import BoardFilters
    from teams.models import Team


# --- CSV export -----------------------------------------------------------------------------

EXPORT_HEADERS = (
    _("Key"),
    _("Title"),
    _("Description"),
    _("Column"),
    _("Category"),
    _("Assignee"),
    _("Reporter"),
    _("Priority"),
    _("Labels"),
    _("Estimate"),
    _("Due date"),
    _("Created"),
    _("Started"),
    _("Completed"),
    _("Cycle time (days)"),
    _("Archived"),
    _("Attachments"),
)


def project_tasks_for_export(
    *, project: Project, filters: BoardFilters | None = None, user: User | None = None
) -> models.QuerySet[Task]:
    """Every task of ``project`` (archived too) in key order, narrowed by the board's
    ``filters`` (``user`` is who "mine" means); four queries whatever the count."""
    tasks = (
        Task.objects.filter(project=project)
        .select_related("column", "assignee", "reporter")
        .prefetch_related(
            models.Prefetch("labels", queryset=Label.objects.order_by("name")),
            # Names only: the files themselves stay behind the task's permission check.
            models.Prefetch(
                "attachments",
                queryset=Attachment.objects.only("task_id", "original_name", "created_at"),
            ),
        )
        .order_by("number")
    )
    if filters is not None and user is not None:
        tasks = filters.apply(tasks, user)
    return tasks


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _cycle_days(task: Task) -> float | str:
    """First entry into work → completion, in days (DESIGN's cycle time, from the task's stamps)."""
    if task.started_at is None or task.completed_at is None:
        return ""
    return round((task.completed_at - task.started_at).total_seconds() / 86400, 2)


def tasks_csv_write(*, writer: CsvWriter, project: Project, tasks: Iterable[Task]) -> None:
    """Write the header and one row per task of ``project`` (read by
    ``project_tasks_for_export``); people by username, text cells neutralised."""
    writer.writerow([str(header) for header in EXPORT_HEADERS])
    yes, no = gettext("yes"), gettext("no")
    for task in tasks:
        row = [
            f"{project.key}-{task.number}",
            task.title,
            task.description,
            task.column.name,
            task.column.category,
            task.assignee.username if task.assignee else "",
            task.reporter.username if task.reporter else "",
            task.priority,
            ", ".join(label.name for label in task.labels.all()),
            "" if task.estimate is None else task.estimate,
            task.due_on.isoformat() if task.due_on else "",
            _local(task.created_at),
            _local(task.started_at),
            _local(task.completed_at),
            _cycle_days(task),
            yes if task.archived else no,
            "; ".join(attachment.original_name for attachment in task.attachments.all()),
        ]
        writer.writerow([neutralise_cell(value) for value in row])


# --- CSV import: reading and the column mapping ----------------------------------------------

IMPORT_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "column",
    "assignee",
    "due_on",
    "labels",
    "estimate",
    "priority",
)
IMPORT_FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "column": _("Status (column)"),
    "assignee": _("Assignee"),
    "due_on": _("Due date"),
    "labels": _("Labels"),
    "estimate": _("Estimate"),
    "priority": _("Priority"),
}

# Header names each field is guessed from, compared casefolded with spaces, dots,
# dashes and underscores squeezed out; in English, Russian and the words of the
# trackers teams leave (Jira, YouGile, Kaiten, Trello CSVs) and of our own export.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "title": (
        "title", "summary", "name", "task", "subject", "card", "cardname", "issue",
        "название", "заголовок", "задача", "тема", "имя", "наименование", "карточка",
    ),
    "description": (
        "description", "details", "body", "text", "content", "notes",
        "описание", "подробности", "текст", "содержание",
    ),
    "column": (
        "status", "column", "state", "list", "listname", "stage",
        "статус", "колонка", "столбец", "состояние", "список", "этап", "стадия",
    ),
    "assignee": (
        "assignee", "assignedto", "owner", "responsible", "member", "members", "executor",
        "исполнитель", "ответственный", "назначено", "участник", "участники", "исполнители",
    ),
    "due_on": (
        "due", "duedate", "deadline", "dueon", "enddate",
        "срок", "дедлайн", "срокисполнения", "датаокончания", "крайнийсрок", "срокдо",
    ),
    "labels": ("labels", "label", "tags", "tag", "метки", "метка", "теги", "тег", "ярлыки"),
    "estimate": (
        "estimate", "storypoints", "points", "sp", "customfieldstorypoints", "estimation",
        "оценка", "сторипоинты", "баллы", "очки", "сложность", "трудоемкость", "трудоёмкость",
    ),
    "priority": ("priority", "importance", "приоритет", "важность", "срочность"),
}  # fmt: skip

# Status words that name a column category when no column has that name
# ("Готово" on a board whose done column is called "Сделано").
CATEGORY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("done", "closed", "resolved", "complete", "completed", "finished",
         "готово", "сделано", "выполнено", "закрыто", "завершено", "решено"),
        ColumnCategory.DONE,
    ),
    **dict.fromkeys(
        ("review", "inreview", "qa", "testing", "codereview",
         "ревью", "напроверке", "проверка", "тестирование", "каче"),
        ColumnCategory.REVIEW,
    ),
    **dict.fromkeys(
        ("inprogress", "doing", "started", "active", "development", "indevelopment",
         "вработе", "впроцессе", "делается", "разработка", "выполняется"),
        ColumnCategory.IN_PROGRESS,
    ),
    **dict.fromkeys(
        ("todo", "open", "new", "backlog", "selectedfordevelopment", "planned",
         "сделать", "ксделанию", "кработе", "открыто", "новая", "новое", "новые",
         "бэклог", "беклог", "запланировано"),
        ColumnCategory.TODO,
    ),
}  # fmt: skip

# Priority spellings: ours, Russian, and Jira's five-step scale.
PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(("low", "lowest", "minor", "trivial", "низкий", "низкая"), Priority.LOW),
    **dict.fromkeys(
        ("medium", "normal", "middle", "средний", "средняя", "обычный", "обычная"), Priority.MEDIUM
    ),
    **dict.fromkeys(("high", "major", "высокий", "высокая", "важный"), Priority.HIGH),
    **dict.fromkeys(
        ("urgent", "highest", "critical", "blocker", "срочный", "срочная", "критичный",
         "критический", "блокер"),
        Priority.URGENT,
    ),
}  # fmt: skip

_SQUEEZE = re.compile(r"[\s._\-()/:]+")
_DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y", "%d/%m/%y", "%Y/%m/%d")
_TITLE_MAX = Task._meta.get_field("title").max_length
_DESCRIPTION_MAX = Task._meta.get_field("description").max_length
_LABEL_MAX = Label._meta.get_field("name").max_length


def _squeezed(text: str) -> str:
    return _SQUEEZE.sub("", text.strip().casefold())


@dataclass(frozen=True)
class CsvTable:
    """A decoded file: its header and data records, each with the line it starts on."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def tasks_csv_read(*, data: bytes) -> CsvTable:
    """Decode and split an uploaded CSV of tasks; DomainError when it cannot be used at all
    (too large, binary, unreadable, empty, no data rows, more than the row cap)."""
    text = decode_csv(data=data, max_bytes=settings.TASK_IMPORT_MAX_BYTES)
    records = csv_records(text)
    header = next(records, None)
    if header is None:
        raise DomainError(
            gettext("The file is empty: it needs a header line and one line per task."),
            code="empty",
            field="file",
        )
    rows = []
    for record in records:
        rows.append(record)
        if len(rows) > settings.TASK_IMPORT_MAX_ROWS:
            raise DomainError(
                gettext("The file has more than %(max)d tasks; split it.")
                % {"max": settings.TASK_IMPORT_MAX_ROWS},
                code="too_many_rows",
                field="file",
            )
    if not rows:
        raise DomainError(
            gettext("The file has a header but no tasks."), code="empty", field="file"
        )
    return CsvTable(headers=[name.strip() for name in header[1]], rows=rows)


Mapping = dict[str, int | None]


def tasks_csv_guess_mapping(*, headers: list[str]) -> Mapping:
    """For each task field, the index of the header that names it (the first one), or None."""
    names = [_squeezed(header) for header in headers]
    mapping: Mapping = {}
    for name in IMPORT_FIELDS:
        spellings = HEADER_NAMES[name]
        exact = next((i for i, header in enumerate(names) if header in spellings), None)
        mapping[name] = exact
    # A file's own label for a field we would not guess ("Custom field (Story Points)").
    for name in IMPORT_FIELDS:
        if mapping[name] is None:
            taken = set(mapping.values())
            mapping[name] = next(
                (
                    i
                    for i, header in enumerate(names)
                    if i not in taken
                    and any(len(word) > 4 and word in header for word in HEADER_NAMES[name])
                ),
                None,
            )
    return mapping


def _check_mapping(table: CsvTable, mapping: Mapping) -> None:
    unknown = set(mapping) - set(IMPORT_FIELDS)
    wrong = [i for i in mapping.values() if i is not None and not 0 <= i < len(table.headers)]
    if unknown or wrong:
        raise DomainError(gettext("Unknown column mapping."), code="mapping", field="mapping")
    if mapping.get("title") is None:
        raise DomainError(
            gettext("Choose the file's column that holds the task titles."),
            code="mapping",
            field="title",
        )


# --- CSV import: checking every line ------------------------------------------------------


@dataclass(frozen=True)
class TaskDraft:
    """One line of the file as the task it will become."""

    line: int
    title: str
    description: str
    column: Column
    assignee: User | None
    due_on: datetime.date | None
    labels: tuple[str, ...]
    estimate: int | None
    priority: str


@dataclass
class CsvImportPlan:
    drafts: list[TaskDraft] = field(default_factory=list)
    new_labels: list[str] = field(default_factory=list)
    problems: list[ImportMessage] = field(default_factory=list)


@dataclass(frozen=True)
class CsvImportResult:
    created: int
    new_labels: int

    def summary(self) -> str:
        text = ngettext("%(count)d task imported.", "%(count)d tasks imported.", self.created) % {
            "count": self.created
        }
        if self.new_labels:
            text += " " + ngettext(
                "%(count)d new label created.", "%(count)d new labels created.", self.new_labels
            ) % {"count": self.new_labels}
        return text


class _Lookups:
    """What lines are matched against, read once per file."""

    def __init__(self, project: Project):
        self.columns = list(project_columns(project))
        self.by_name = {column.name.casefold(): column for column in self.columns}
        self.by_category: dict[str, Column] = {}
        for column in self.columns:
            self.by_category.setdefault(column.category, column)
        self.people: dict[str, User] = {}
        # Later keys win: full names first, so a username or e-mail is never shadowed.
        members = [membership.user for membership in team_members(project.team)]
        for key in ("full_name", "email", "username"):
            for user in members:
                value = getattr(user, key)
                if value:
                    self.people[value.casefold()] = user
        self.labels = {
            label.casefold()
            for label in Label.objects.filter(project=project).values_list("name", flat=True)
        }
        self.priorities = {
            **PRIORITY_WORDS,
            **{str(label).casefold(): value for value, label in Priority.choices},
        }


def _value(record: list[str], index: int | None) -> str:
    return record[index].strip() if index is not None and index < len(record) else ""


def _parse_column(text: str, lookups: _Lookups) -> Column | str:
    if not text:
        return lookups.columns[0]
    column = lookups.by_name.get(text.casefold())
    if column is None:
        category = CATEGORY_WORDS.get(_squeezed(text))
        column = lookups.by_category.get(category) if category else None
    if column is not None:
        return column
    return gettext("unknown status “%(value)s”: the board's columns are %(columns)s.") % {
        "value": text,
        "columns": ", ".join(f"“{column.name}”" for column in lookups.columns),
    }


def _parse_date(text: str) -> datetime.date | str | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            # A time after the date ("05.03.2026 18:00") is ignored: tasks are due on days.
            return datetime.datetime.strptime(text.split()[0], pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return gettext("unreadable due date “%(value)s”: use YYYY-MM-DD or DD.MM.YYYY.") % {
        "value": text
    }


def _parse_estimate(text: str) -> int | str | None:
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = -1.0
    if number.is_integer() and 0 <= number <= 100:
        return int(number)
    return gettext("estimate “%(value)s” must be a whole number from 0 to 100.") % {"value": text}


def _split_labels(values: list[str]) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for value in values:
        for name in re.split(r"[,;]", value):
            name = name.strip()
            if name:
                names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _draft(
    line: int, record: list[str], mapping: Mapping, label_columns: list[int], lookups: _Lookups
) -> tuple[TaskDraft | None, list[ImportMessage]]:
    problems: list[str] = []

    def check(result: Any) -> Any:
        if isinstance(result, str):
            problems.append(result)
            return None
        return result

    title = _value(record, mapping["title"])
    if not title:
        problems.append(gettext("the title is missing."))
    elif len(title) > _TITLE_MAX:
        problems.append(
            gettext("the title is longer than %(max)d characters.") % {"max": _TITLE_MAX}
        )
    description = _value(record, mapping.get("description"))
    if len(description) > _DESCRIPTION_MAX:
        problems.append(
            gettext("the description is longer than %(max)d characters.")
            % {"max": _DESCRIPTION_MAX}
        )
    column = check(_parse_column(_value(record, mapping.get("column")), lookups))
    assignee = None
    if names := _value(record, mapping.get("assignee")):
        # Several people (Trello members, YouGile assignees): the first one is the assignee.
        name = re.split(r"[,;]", names)[0].strip()
        assignee = lookups.people.get(name.casefold())
        if assignee is None:
            problems.append(
                gettext("unknown assignee “%(value)s”: not a member of the team.") % {"value": name}
            )
    due_on = check(_parse_date(_value(record, mapping.get("due_on"))))
    labels = _split_labels([_value(record, index) for index in label_columns])
    problems.extend(
        gettext("the label “%(value)s” is longer than %(max)d characters.")
        % {"value": label, "max": _LABEL_MAX}
        for label in labels
        if len(label) > _LABEL_MAX
    )
    estimate = check(_parse_estimate(_value(record, mapping.get("estimate"))))
    priority = Priority.MEDIUM
    if text := _value(record, mapping.get("priority")):
        priority = lookups.priorities.get(text.casefold())
        if priority is None:
            problems.append(
                gettext("unknown priority “%(value)s”: use low, medium, high or urgent.")
                % {"value": text}
            )
    if problems:
        return None, [ImportMessage(line=line, code="value", message=text) for text in problems]
    draft = TaskDraft(
        line=line,
        title=title,
        description=description,
        column=column,
        assignee=assignee,
        due_on=due_on,
        labels=labels,
        estimate=estimate,
        priority=priority,
    )
    return draft, []


def tasks_csv_plan(*, project: Project, table: CsvTable, mapping: Mapping) -> CsvImportPlan:
    """Check every line of ``table`` against ``project`` with ``mapping`` (task field →
    header index or None); writes nothing. ``labels`` take every column whose header is
    the chosen one's (Jira repeats "Labels" once per label)."""
    mapping = {name: mapping.get(name) for name in IMPORT_FIELDS}
    _check_mapping(table, mapping)
    lookups = _Lookups(project)
    label_columns = []
    if mapping["labels"] is not None:
        chosen = table.headers[mapping["labels"]].casefold()
        label_columns = [i for i, name in enumerate(table.headers) if name.casefold() == chosen]
    plan = CsvImportPlan()
    new_labels: dict[str, str] = {}
    for line, record in table.rows:
        draft, problems = _draft(line, record, mapping, label_columns, lookups)
        plan.problems += problems
        if draft is None:
            continue
        plan.drafts.append(draft)
        for name in draft.labels:
            if name.casefold() not in lookups.labels:
                new_labels.setdefault(name.casefold(), name)
    plan.new_labels = list(new_labels.values())
    return plan


@transaction.atomic
def tasks_csv_import(
    *, project: Project, by: User, table: CsvTable, mapping: Mapping
) -> CsvImportResult:
    """Create a task per line of ``table`` at the end of its column, in file order.

    Precondition: ``by`` may manage ``project`` (mentors and staff: an import is a
    management action). All or nothing: raises ImportProblemsError listing every
    problem by line (values, and rules of ``task_create`` such as a full WIP
    limit) and writes nothing. New label names become labels of the project.
    """
    if project.archived:
        raise DomainError(
            gettext("The project is archived; restore it before importing tasks."),
            code="archived",
        )
    plan = tasks_csv_plan(project=project, table=table, mapping=mapping)
    if plan.problems:
        raise ImportProblemsError(plan.problems)
    labels = {label.name.casefold(): label for label in Label.objects.filter(project=project)}
    for name in plan.new_labels:
        labels[name.casefold()] = services.label_create(project=project, by=by, name=name)
    problems = []
    for draft in plan.drafts:
        try:
            services.task_create(
                project=project,
                by=by,
                title=draft.title,
                column=draft.column,
                description=draft.description,
                assignee=draft.assignee,
                priority=draft.priority,
                labels=[labels[name.casefold()] for name in draft.labels],
                estimate=draft.estimate,
                due_on=draft.due_on,
            )
        except DomainError as error:  # its savepoint is rolled back; the line is reported
            problems.append(ImportMessage(line=draft.line, code=error.code, message=str(error)))
    if problems:
        raise ImportProblemsError(problems)
    return CsvImportResult(created=len(plan.drafts), new_labels=len(plan.new_labels))


# --- CSV import: the upload kept between preview and import --------------------------------

_STASH_TOKEN = re.compile(r"[0-9a-f]{32}")
_STASH_MAX_AGE_SECONDS = 24 * 3600


def _stash_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "internboard-task-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def csv_upload_stash(*, data: bytes) -> str:
    """Keep an upload on the server until it is imported; a random token names it.

    The token (kept in the uploader's session) is the only way to the file.
    Uploads left behind for a day are removed here.
    """
    directory = _stash_dir()
    cutoff = time.time() - _STASH_MAX_AGE_SECONDS
    for old in directory.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (directory / f"{token}.csv").write_bytes(data)
    return token


def _stash_path(token: str) -> Path | None:
    return _stash_dir() / f"{token}.csv" if _STASH_TOKEN.fullmatch(token or "") else None


def csv_upload_load(*, token: str) -> bytes:
    """The stashed upload; DomainError once it is gone (imported, expired, or never there)."""
    path = _stash_path(token)
    try:
        if path is None:
            raise FileNotFoundError(token)
        return path.read_bytes()
    except FileNotFoundError as error:
        raise DomainError(
            gettext("The uploaded file is no longer available; upload it again."),
            code="expired",
            field="file",
        ) from error


def csv_upload_discard(*, token: str) -> None:
    path = _stash_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


# --- JSON export -------------------------------------------------------------------------------

EXPORT_FORMAT = "internboard-project"
EXPORT_VERSION = 1
# Activity details that hold ids of this database (comments, reviews, checklist
# items, labels, attachments): meaningless elsewhere, so left out of exports.
_ACTIVITY_ID_KEYS = frozenset({"comment", "review", "item", "added", "removed", "attachment"})


def _iso(moment: datetime.datetime | datetime.date | None) -> str | None:
    return moment.isoformat() if moment else None


def project_export(*, project: Project) -> dict[str, Any]:
    """The whole project as a JSON-ready document (see the module docstring).

    A fixed number of queries whatever its size. People appear once in
    ``users`` (username, e-mail, full name) and elsewhere by username.
    """
    columns = list(project_columns(project))
    column_names = {column.pk: column.name for column in columns}
    tasks = list(
        Task.objects.filter(project=project)
        .prefetch_related(models.Prefetch("labels", queryset=Label.objects.order_by("name")))
        .order_by("number")
    )
    by_task: dict[str, dict[int, list]] = {}
    children = {
        "comments": Comment.objects.filter(task__project=project).order_by("created_at", "pk"),
        "checklist": ChecklistItem.objects.filter(task__project=project).order_by("position", "pk"),
        "reviews": Review.objects.filter(task__project=project).order_by("created_at", "pk"),
        "activity": Activity.objects.filter(task__project=project).order_by("created_at", "pk"),
    }
    for name, rows in children.items():
        grouped: dict[int, list] = {}
        for row in rows:
            grouped.setdefault(row.task_id, []).append(row)
        by_task[name] = grouped
    user_ids = {task.assignee_id for task in tasks} | {task.reporter_id for task in tasks}
    user_ids |= {row.author_id for rows in by_task["comments"].values() for row in rows}
    user_ids |= {row.reviewer_id for rows in by_task["reviews"].values() for row in rows}
    for rows in by_task["activity"].values():
        for row in rows:
            user_ids.add(row.actor_id)
            if isinstance(row.data.get("assignee"), int):
                user_ids.add(row.data["assignee"])
    users = {
        user.pk: user for user in User.objects.filter(pk__in=user_ids - {None}).order_by("username")
    }

    def ref(user_id: int | None) -> str | None:
        user = users.get(user_id)
        return user.username if user else None

    def activity(row: Activity) -> dict[str, Any]:
        data = {key: value for key, value in row.data.items() if key not in _ACTIVITY_ID_KEYS}
        if isinstance(data.get("assignee"), int):
            data["assignee"] = ref(data["assignee"])
        return {
            "kind": row.kind,
            "actor": ref(row.actor_id),
            "from_column": column_names.get(row.from_column_id),
            "to_column": column_names.get(row.to_column_id),
            "from_category": row.from_category,
            "to_category": row.to_category,
            "from_column_name": row.from_column_name,
            "to_column_name": row.to_column_name,
            "data": data,
            "created_at": _iso(row.created_at),
        }

    def task_document(task: Task) -> dict[str, Any]:
        return {
            "number": task.number,
            "title": task.title,
            "description": task.description,
            "column": column_names[task.column_id],
            "rank": task.rank,
            "assignee": ref(task.assignee_id),
            "reporter": ref(task.reporter_id),
            "priority": task.priority,
            "labels": [label.name for label in task.labels.all()],
            "estimate": task.estimate,
            "due_on": _iso(task.due_on),
            "created_at": _iso(task.created_at),
            "updated_at": _iso(task.updated_at),
            "started_at": _iso(task.started_at),
            "completed_at": _iso(task.completed_at),
            "version": task.version,
            "archived": task.archived,
            "comments": [
                {"author": ref(c.author_id), "body": c.body, "created_at": _iso(c.created_at)}
                for c in by_task["comments"].get(task.pk, [])
            ],
            "checklist": [
                {"text": item.text, "done": item.done, "position": item.position}
                for item in by_task["checklist"].get(task.pk, [])
            ],
            "reviews": [
                {
                    "reviewer": ref(r.reviewer_id),
                    "decision": r.decision,
                    "score": r.score,
                    "comment": r.comment,
                    "created_at": _iso(r.created_at),
                }
                for r in by_task["reviews"].get(task.pk, [])
            ],
            "activity": [activity(row) for row in by_task["activity"].get(task.pk, [])],
        }

    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "project": {
            "name": project.name,
            "key": project.key,
            "description": project.description,
            "starts_on": _iso(project.starts_on),
            "ends_on": _iso(project.ends_on),
            "archived": project.archived,
            "review_required": project.review_required,
        },
        "users": [
            {"username": user.username, "email": user.email, "full_name": user.full_name}
            for user in users.values()
        ],
        "columns": [
            {"name": column.name, "category": column.category, "wip_limit": column.wip_limit}
            for column in columns
        ],
        "labels": [
            {"name": label.name, "color": label.color}
            for label in Label.objects.filter(project=project).order_by("name")
        ],
        "tasks": [task_document(task) for task in tasks],
    }


def project_export_json(*, project: Project) -> str:
    """``project_export`` as UTF-8 JSON text (Cyrillic kept readable), indented."""
    return json.dumps(project_export(project=project), ensure_ascii=False, indent=2) + "\n"


# --- JSON import -------------------------------------------------------------------------------


class _Bad(Exception):
    """A document problem at ``path`` (e.g. ``tasks[3].title``); becomes a DomainError."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


_MISSING: Any = object()


def _get(obj: dict, key: str, kinds: tuple[type, ...], path: str, *, optional: bool = False) -> Any:
    value = obj.get(key, _MISSING)
    where = f"{path}.{key}" if path else key
    if value is _MISSING or (value is None and optional):
        if optional:
            return None
        raise _Bad(where, gettext("is missing"))
    if isinstance(value, bool) and bool not in kinds:
        raise _Bad(where, gettext("has the wrong type"))
    if not isinstance(value, kinds):
        raise _Bad(where, gettext("has the wrong type"))
    return value


def _text(obj: dict, key: str, path: str, *, max_length: int | None = None) -> str:
    value = _get(obj, key, (str,), path)
    if max_length is not None and len(value) > max_length:
        raise _Bad(
            f"{path}.{key}", gettext("is longer than %(max)d characters") % {"max": max_length}
        )
    return value


def _list(obj: dict, key: str, path: str) -> list:
    return _get(obj, key, (list,), path)


def _dict_items(items: list, path: str) -> Iterator[tuple[str, dict]]:
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            raise _Bad(where, gettext("has the wrong type"))
        yield where, item


def _moment(obj: dict, key: str, path: str, *, optional: bool = False) -> datetime.datetime | None:
    value = _get(obj, key, (str,), path, optional=optional)
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise _Bad(f"{path}.{key}", gettext("is not a date and time")) from error
    if timezone.is_naive(moment):
        raise _Bad(f"{path}.{key}", gettext("has no time zone"))
    return moment


def _day(obj: dict, key: str, path: str) -> datetime.date | None:
    value = _get(obj, key, (str,), path, optional=True)
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise _Bad(f"{path}.{key}", gettext("is not a date")) from error


def _choice(obj: dict, key: str, path: str, choices: Iterable[str]) -> str:
    value = _get(obj, key, (str,), path)
    if value not in choices:
        raise _Bad(f"{path}.{key}", gettext("has an unknown value “%(value)s”") % {"value": value})
    return value


@dataclass
class ProjectImportResult:
    project: Project
    tasks: int = 0
    comments: int = 0
    checklist_items: int = 0
    reviews: int = 0
    activities: int = 0
    unknown_users: list[str] = field(default_factory=list)
    unassigned: int = 0

    def summary(self) -> str:
        text = gettext(
            "Project %(key)s “%(name)s” imported: %(tasks)d tasks, %(comments)d comments, "
            "%(items)d checklist items, %(reviews)d reviews, %(activities)d history entries."
        ) % {
            "key": self.project.key,
            "name": self.project.name,
            "tasks": self.tasks,
            "comments": self.comments,
            "items": self.checklist_items,
            "reviews": self.reviews,
            "activities": self.activities,
        }
        if self.unknown_users:
            text += " " + gettext(
                "People not found here (their names stay in the history): %(names)s."
            ) % {"names": ", ".join(self.unknown_users)}
        if self.unassigned:
            text += " " + ngettext(
                "%(count)d task is left unassigned: its assignee is not a member of the team.",
                "%(count)d tasks are left unassigned: their assignees are not members of the team.",
                self.unassigned,
            ) % {"count": self.unassigned}
        return text


def _resolve_users(document: dict) -> tuple[dict[str, User | None], list[str]]:
    """Each exported username → the account here: the same username with the same e-mail
    (or no e-mail on either side), else the same e-mail; None when there is none."""
    people = {}
    for where, person in _dict_items(_list(document, "users", ""), "users"):
        username = _text(person, "username", where, max_length=150)
        people[username] = (_text(person, "email", where).casefold(), where)
    if not people:
        return {}, []
    emails = {email for email, _where in people.values() if email}
    candidates = list(
        User.objects.annotate(email_folded=Lower("email"))
        .filter(models.Q(username__in=people) | models.Q(email_folded__in=emails))
        .order_by("pk")
    )
    by_username = {user.username: user for user in candidates}
    by_email: dict[str, User] = {}
    for user in candidates:
        if user.email:
            by_email.setdefault(user.email.casefold(), user)
    resolved: dict[str, User | None] = {}
    for username, (email, _where) in people.items():
        user = by_username.get(username)
        if user is not None and email and user.email and user.email.casefold() != email:
            user = None
        if user is None and email:
            user = by_email.get(email)
        resolved[username] = user
    unknown = sorted(name for name, user in resolved.items() if user is None)
    return resolved, unknown


@dataclass
class _Built:
    """Rows made from the document, not yet written (their task is set after tasks are)."""

    tasks: list[Task] = field(default_factory=list)
    labels_of: list[list[str]] = field(default_factory=list)
    children: list[tuple[int, models.Model]] = field(default_factory=list)  # task index, row
    unassigned: int = 0


def _build_project(document: dict, team: Team, key: str | None) -> Project:
    section = _get(document, "project", (dict,), "")
    project = Project(
        team=team,
        name=_text(section, "name", "project", max_length=120).strip(),
        key=_text(section, "key", "project"),
        description=_text(section, "description", "project"),
        starts_on=_day(section, "starts_on", "project"),
        ends_on=_day(section, "ends_on", "project"),
        archived=_get(section, "archived", (bool,), "project"),
        review_required=_get(section, "review_required", (bool,), "project"),
    )
    try:
        project.key = clean_project_key(key or project.key)
        project.clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="key", field="key") from error
    if not project.name:
        raise _Bad("project.name", gettext("is missing"))
    return project


def _build_columns(document: dict, project: Project) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for position, (where, item) in enumerate(
        _dict_items(_list(document, "columns", ""), "columns")
    ):
        name = _text(item, "name", where, max_length=60).strip()
        wip_limit = _get(item, "wip_limit", (int,), where, optional=True)
        if not name or name.casefold() in {known.casefold() for known in columns}:
            raise _Bad(f"{where}.name", gettext("is empty or repeats another column's name"))
        if wip_limit is not None and wip_limit < 1:
            raise _Bad(f"{where}.wip_limit", gettext("must be at least 1"))
        columns[name] = Column(
            project=project,
            name=name,
            position=position,
            category=_choice(item, "category", where, ColumnCategory.values),
            wip_limit=wip_limit,
        )
    missing = set(ColumnCategory.values) - {column.category for column in columns.values()}
    if missing:
        raise _Bad(
            "columns",
            gettext("needs a column of each category (missing: %(names)s)")
            % {"names": ", ".join(sorted(missing))},
        )
    return columns


def _build_labels(document: dict, project: Project) -> dict[str, Label]:
    labels: dict[str, Label] = {}
    for where, item in _dict_items(_list(document, "labels", ""), "labels"):
        name = _text(item, "name", where, max_length=_LABEL_MAX).strip()
        if not name or name.casefold() in labels:
            raise _Bad(f"{where}.name", gettext("is empty or repeats another label's name"))
        color = _choice(item, "color", where, LabelColor.values)
        labels[name.casefold()] = Label(project=project, name=name, color=color)
    return labels


def _user_ref(obj: dict, key: str, path: str, users: dict[str, User | None]) -> User | None:
    username = _get(obj, key, (str,), path, optional=True)
    if username is not None and username not in users:
        raise _Bad(f"{path}.{key}", gettext("names someone missing from “users”"))
    return users.get(username) if username is not None else None


def _build_tasks(
    document: dict,
    *,
    project: Project,
    columns: dict[str, Column],
    labels: dict[str, Label],
    users: dict[str, User | None],
    members: set[int],
) -> _Built:
    built = _Built()
    numbers: set[int] = set()
    ranks: set[tuple[str, int]] = set()
    for index, (where, item) in enumerate(_dict_items(_list(document, "tasks", ""), "tasks")):
        number = _get(item, "number", (int,), where)
        if number < 1 or number in numbers:
            raise _Bad(f"{where}.number", gettext("is not positive or repeats another task's"))
        numbers.add(number)
        column_name = _text(item, "column", where)
        if column_name not in columns:
            raise _Bad(f"{where}.column", gettext("names no column of the project"))
        archived = _get(item, "archived", (bool,), where)
        rank = _get(item, "rank", (int,), where, optional=True)
        if (rank is None) != archived or (rank is not None and (column_name, rank) in ranks):
            raise _Bad(f"{where}.rank", gettext("is missing, repeated, or set on an archived task"))
        if rank is not None:
            ranks.add((column_name, rank))
        title = _text(item, "title", where, max_length=_TITLE_MAX).strip()
        if not title:
            raise _Bad(f"{where}.title", gettext("is missing"))
        assignee = _user_ref(item, "assignee", where, users)
        if assignee is not None and assignee.pk not in members:
            assignee = None
            built.unassigned += 1
        estimate = _get(item, "estimate", (int,), where, optional=True)
        if estimate is not None and not 0 <= estimate <= 100:
            raise _Bad(f"{where}.estimate", gettext("must be from 0 to 100"))
        version = _get(item, "version", (int,), where)
        if version < 1:
            raise _Bad(f"{where}.version", gettext("must be at least 1"))
        task_labels = []
        for label_name in _list(item, "labels", where):
            if not isinstance(label_name, str) or label_name.casefold() not in labels:
                raise _Bad(f"{where}.labels", gettext("names a label missing from “labels”"))
            task_labels.append(label_name.casefold())
        built.tasks.append(
            Task(
                project=project,
                number=number,
                title=title,
                description=_text(item, "description", where, max_length=_DESCRIPTION_MAX),
                column=columns[column_name],
                rank=rank,
                assignee=assignee,
                reporter=_user_ref(item, "reporter", where, users),
                priority=_choice(item, "priority", where, Priority.values),
                estimate=estimate,
                due_on=_day(item, "due_on", where),
                created_at=_moment(item, "created_at", where),
                updated_at=_moment(item, "updated_at", where),
                started_at=_moment(item, "started_at", where, optional=True),
                completed_at=_moment(item, "completed_at", where, optional=True),
                version=version,
                archived=archived,
            )
        )
        built.labels_of.append(task_labels)
        built.children += [(index, row) for row in _task_children(item, where, columns, users)]
    return built


def _task_children(
    item: dict, path: str, columns: dict[str, Column], users: dict[str, User | None]
) -> Iterator[models.Model]:
    for where, comment in _dict_items(_list(item, "comments", path), f"{path}.comments"):
        yield Comment(
            author=_user_ref(comment, "author", where, users),
            body=_text(comment, "body", where, max_length=10000),
            created_at=_moment(comment, "created_at", where),
        )
    for where, entry in _dict_items(_list(item, "checklist", path), f"{path}.checklist"):
        position = _get(entry, "position", (int,), where)
        if position < 0:
            raise _Bad(f"{where}.position", gettext("must not be negative"))
        yield ChecklistItem(
            text=_text(entry, "text", where, max_length=200),
            done=_get(entry, "done", (bool,), where),
            position=position,
        )
    for where, review in _dict_items(_list(item, "reviews", path), f"{path}.reviews"):
        decision = _choice(review, "decision", where, ReviewDecision.values)
        score = _get(review, "score", (int,), where, optional=True)
        if (decision == ReviewDecision.APPROVE) != (score is not None and 1 <= score <= 5):
            raise _Bad(f"{where}.score", gettext("does not match the decision"))
        yield Review(
            reviewer=_user_ref(review, "reviewer", where, users),
            decision=decision,
            score=score,
            comment=_text(review, "comment", where, max_length=10000),
            created_at=_moment(review, "created_at", where),
        )
    for where, entry in _dict_items(_list(item, "activity", path), f"{path}.activity"):
        yield _activity(entry, where, columns, users)


def _activity(
    entry: dict, where: str, columns: dict[str, Column], users: dict[str, User | None]
) -> Activity:
    data = dict(_get(entry, "data", (dict,), where))
    assignee = data.get("assignee")
    if isinstance(assignee, str):
        # Someone known here is stored by id, as services store them; someone unknown
        # keeps their username, so history still says a person was assigned.
        person = users.get(assignee)
        data["assignee"] = person.pk if person is not None else assignee
    names = {}
    for side in ("from", "to"):
        name = _get(entry, f"{side}_column", (str,), where, optional=True)
        if name is not None and name not in columns:
            raise _Bad(f"{where}.{side}_column", gettext("names no column of the project"))
        names[side] = columns.get(name) if name is not None else None
        for suffix, limit in (("category", 16), ("column_name", 60)):
            _text(entry, f"{side}_{suffix}", where, max_length=limit)
    return Activity(
        actor=_user_ref(entry, "actor", where, users),
        kind=_choice(entry, "kind", where, ActivityKind.values),
        from_column=names["from"],
        to_column=names["to"],
        from_category=entry["from_category"],
        to_category=entry["to_category"],
        from_column_name=entry["from_column_name"],
        to_column_name=entry["to_column_name"],
        data=data,
        created_at=_moment(entry, "created_at", where),
    )


def _parse_document(data: bytes | str | dict) -> dict:
    if isinstance(data, dict):
        document = data
    else:
        try:
            document = json.loads(data)
        except (ValueError, RecursionError) as error:
            raise DomainError(
                gettext("The file is not JSON: %(error)s.") % {"error": error},
                code="not_json",
                field="file",
            ) from error
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise DomainError(
            gettext("The file is not an Internboard project export."),
            code="format",
            field="file",
        )
    if document.get("version") != EXPORT_VERSION:
        raise DomainError(
            gettext("Export format version %(version)s is not supported (expected %(expected)d).")
            % {"version": document.get("version"), "expected": EXPORT_VERSION},
            code="version",
            field="file",
        )
    return document


@transaction.atomic
def project_import(
    *, data: bytes | str | dict, team: Team, key: str | None = None
) -> ProjectImportResult:
    """Restore a ``project_export`` document as a new project of ``team`` (key ``key`` if
    given, else the exported one).

    People are matched to accounts here (``_resolve_users``); someone not found
    leaves the rows they wrote without an author and their tasks unassigned, and
    an assignee who is no member of ``team`` is dropped too. Names already in the
    history (assignee names, column names) are kept as they were. Every
    imported task records a ``task.created`` event, so analytics count its
    history. All or nothing: a bad document or a taken key raises DomainError
    naming the problem, and nothing is written.
    """
    document = _parse_document(data)
    try:
        users, unknown = _resolve_users(document)
        project = _build_project(document, team, key)
        columns = _build_columns(document, project)
        labels = _build_labels(document, project)
        members = {membership.user_id for membership in team_members(team)}
        built = _build_tasks(
            document, project=project, columns=columns, labels=labels, users=users, members=members
        )
    except _Bad as bad:
        raise DomainError(
            gettext("The export is not valid at %(path)s: %(problem)s.")
            % {"path": bad.path, "problem": bad.message},
            code="invalid",
            field="file",
        ) from bad
    if Project.objects.filter(team=team, key=project.key).exists():
        raise _key_taken(team, project.key)
    try:
        with transaction.atomic():  # a concurrent import of the same key: a clean refusal
            project.save(force_insert=True)
    except IntegrityError as error:
        raise _key_taken(team, project.key) from error
    Column.objects.bulk_create(columns.values())
    Label.objects.bulk_create(labels.values())
    Task.objects.bulk_create(built.tasks)
    Task.labels.through.objects.bulk_create(
        Task.labels.through(task_id=task.pk, label_id=labels[name].pk)
        for task, names in zip(built.tasks, built.labels_of, strict=True)
        for name in names
    )
    counts: dict[type, list] = {Comment: [], ChecklistItem: [], Review: [], Activity: []}
    for index, row in built.children:
        row.task = built.tasks[index]
        counts[type(row)].append(row)
    for model, rows in counts.items():
        model.objects.bulk_create(rows, batch_size=1000)
    for task in built.tasks:
        event_record(
            project=project, type=EventType.TASK_CREATED, data={"task": task_payload(task)}
        )
    return ProjectImportResult(
        project=project,
        tasks=len(built.tasks),
        comments=len(counts[Comment]),
        checklist_items=len(counts[ChecklistItem]),
        reviews=len(counts[Review]),
        activities=len(counts[Activity]),
        unknown_users=unknown,
        unassigned=built.unassigned,
    )


def _key_taken(team: Team, key: str) -> DomainError:
    return DomainError(
        gettext("Team “%(team)s” already has a project with the key %(key)s.")
        % {"team": team.name, "key": key},
        code="key_taken",
        field="key",
    )
