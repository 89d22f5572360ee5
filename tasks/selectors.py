"""Reads of tasks shared by the board, the task page, the API and Celery.

The board reads a constant number of queries whatever the number of tasks:
the first page of every column comes from one windowed query, counts from one
aggregate, labels from one prefetch.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import User
from config.compiled_queries import CompiledQuery
from projects.models import Column
from projects.selectors import project_columns, visible_project_ids
from projects.services import normalize_project_key
from tasks.history import history_lines
from tasks.models import (
    Activity,
    ActivityKind,
    Attachment,
    ChecklistItem,
    Comment,
    Label,
    Priority,
    Task,
)
from tasks.querysets import UnicodeLower

if TYPE_CHECKING:
    from projects.models import Project

CARDS_PER_PAGE = 50
# The pages htmx loads as a column scrolls: each request has a fixed cost (session,
# permissions, column), so bigger pages bring the whole column in at a lower cost per card.
CARDS_PER_SCROLL_PAGE = 100
# The longest search the board and the API accept (their forms enforce it).
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows; empty filters show every live task."""

    assignee_id: int | None = None
    label_id: int | None = None
    priority: str = ""
    text: str = ""
    mine: bool = False

    @property
    def active(self) -> bool:
        return bool(self.assignee_id or self.label_id or self.priority or self.text or self.mine)

    def apply(self, tasks: models.QuerySet[Task], user: User) -> models.QuerySet[Task]:
        if self.mine:
            tasks = tasks.assigned_to(user)
        elif self.assignee_id:
            tasks = tasks.filter(assignee_id=self.assignee_id)
        if self.label_id:
            tasks = tasks.filter(labels__id=self.label_id)
        if self.priority:
            tasks = tasks.filter(priority=self.priority)
        if self.text:
            tasks = task_search(tasks, self.text)
        return tasks


# ``WEB-12`` (any case) or a bare ``12``; at most 9 digits, so never an overflow.
_TASK_KEY = re.compile(r"(?:(?P<key>[A-Za-z][A-Za-z0-9]{1,9})-)?(?P<number>[0-9]{1,9})")


def task_search(tasks: models.QuerySet[Task], query: str) -> models.QuerySet[Task]:
    """Tasks whose title or description contains ``query`` in any letter case, or whose
    key it is (``WEB-12`` is task 12 of project WEB; ``12`` is task 12 of any project).

    The one search of the board, the task list and the API ``search=``. Case is
    folded for every script (Cyrillic too) on SQLite and PostgreSQL alike:
    both sides go through ``UnicodeLower``/``str.lower``. ``%`` and ``_`` in the
    query are literal characters (``contains`` escapes them).
    """
    query = query.strip()
    if not query:
        return tasks
    needle = query.lower()
    matches = models.Q(Contains(UnicodeLower("title"), needle)) | models.Q(
        Contains(UnicodeLower("description"), needle)
    )
    key = _TASK_KEY.fullmatch(query)
    if key is not None:
        by_key = models.Q(number=int(key["number"]))
        if key["key"]:
            by_key &= models.Q(project__key=normalize_project_key(key["key"]))
        matches |= by_key
    return tasks.filter(matches)


@dataclass
class BoardColumn:
    column: Column
    # The cards that match the board's filters (all live cards when none is active).
    total: int
    cards: list[Card] = field(default_factory=list)
    # Every live card of the column, whatever the filters: what the WIP limit counts.
    # None: no filter is active, so ``total`` is the whole column.
    in_column: int | None = None

    @property
    def has_more(self) -> bool:
        return len(self.cards) < self.total

    @property
    def last_rank(self) -> int | None:
        return self.cards[-1].rank if self.cards else None

    @property
    def whole_count(self) -> int:
        return self.total if self.in_column is None else self.in_column

    @property
    def filtered(self) -> bool:
        return self.in_column is not None

    @property
    def over_limit(self) -> bool:
        return self.column.wip_limit is not None and self.whole_count >= self.column.wip_limit


@dataclass(slots=True)
class CardLabel:
    name: str
    color: str


@dataclass(slots=True)
class Card:
    """What a board card shows, as plain values (tasks/templatetags/board_cards.py prints it).

    Built from one ``values()`` query plus one query for the labels: profiling
    the board showed model instances (a task, its project and assignee per
    card) and the labels prefetch costing several times the SQL itself.
    """

    pk: int
    column_id: int
    rank: int
    version: int
    key: str
    title: str
    priority: str
    priority_label: str
    url: str
    due_on: datetime.date | None
    due_label: str
    overdue: bool
    checklist_total: int
    checklist_done: int
    comment_count: int
    assignee_id: int | None
    assignee_name: str
    assignee_initials: str
    label_list: list[CardLabel]


CARD_VALUES = (
    "id",
    "project__key",
    "number",
    "title",
    "column_id",
    "rank",
    "priority",
    "version",
    "due_on",
    "completed_at",
    "assignee_id",
    "assignee__username",
    "assignee__full_name",
    "checklist_total",
    "checklist_done",
    "comment_count",
)


def card_queryset() -> models.QuerySet[Task]:
    """The live tasks with the counts a card shows (``cards()`` turns them into cards)."""
    return Task.objects.live().annotate(
        checklist_total=_count(ChecklistItem),
        checklist_done=_count(ChecklistItem, where=f"AND {_q('done')}"),
        comment_count=_count(Comment),
    )


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _count(model: type[models.Model], *, where: str = "") -> RawSQL:
    """Rows of ``model`` for the task, as a correlated subquery in plain SQL.

    The same SQL as ``Coalesce(Subquery(...values("task").annotate(Count)))``,
    but the board builds this query on every request and the ORM took 1.7 ms
    of a 100-card board to compile those three subqueries; raw SQL costs nothing.
    """
    table, task = _q(model._meta.db_table), _q(Task._meta.db_table)
    # Only table and column names of our own models go into the SQL, no input.
    sql = f"SELECT COUNT(*) FROM {table} WHERE {table}.{_q('task_id')} = {task}.{_q('id')} {where}"  # noqa: S608, E501
    return RawSQL(  # noqa: S611 - see above
        sql,
        [],
        output_field=models.IntegerField(),
    )


def cards(tasks: models.QuerySet[Task], *, today: datetime.date | None = None) -> list[Card]:
    """The cards of ``tasks`` (a ``card_queryset()``, filtered and ordered), in two queries.

    Every display value is computed here once (URL, priority label, short date,
    overdue, initials), so the card renderer only escapes and prints.
    """
    return _cards_of_rows(list(tasks.values(*CARD_VALUES)), today=today)


def _cards_of_rows(rows: list[dict], *, today: datetime.date | None = None) -> list[Card]:
    """``cards`` of rows already read (``CARD_VALUES`` of a ``card_queryset()``): one query
    more, for their labels."""
    labels: dict[int, list[CardLabel]] = {}
    if rows:
        links = (
            Task.labels.through.objects.filter(task_id__in=[row["id"] for row in rows])
            .order_by("label__name", "label_id")
            .values_list("task_id", "label__name", "label__color")
        )
        for task_id, name, color in links:
            labels.setdefault(task_id, []).append(CardLabel(name=name, color=color))
    today = today or timezone.localdate()
    task_url = reverse("task_detail", args=[0]).removesuffix("0/")
    priorities = {value: str(label) for value, label in Priority.choices}
    short_dates: dict[datetime.date, str] = {}
    overdue: dict[tuple[datetime.date, bool], bool] = {}
    people: dict[int, User] = {}
    result = []
    for row in rows:
        due_on = row["due_on"]
        due_label, is_overdue = "", False
        if due_on is not None:
            if due_on not in short_dates:
                short_dates[due_on] = formats.date_format(due_on, "SHORT_DATE_FORMAT")
            due_label = short_dates[due_on]
            # Task.is_overdue is the one rule; it only depends on these two values here.
            state = (due_on, row["completed_at"] is None)
            if state not in overdue:
                overdue[state] = Task(due_on=due_on, completed_at=row["completed_at"]).is_overdue(
                    today
                )
            is_overdue = overdue[state]
        assignee = None
        if row["assignee_id"] is not None:
            assignee = people.get(row["assignee_id"])
            if assignee is None:
                assignee = people[row["assignee_id"]] = User(
                    username=row["assignee__username"], full_name=row["assignee__full_name"]
                )
        result.append(
            Card(
                pk=row["id"],
                column_id=row["column_id"],
                rank=row["rank"],
                version=row["version"],
                key=f"{row['project__key']}-{row['number']}",
                title=row["title"],
                priority=row["priority"],
                priority_label=priorities.get(row["priority"], row["priority"]),
                url=f"{task_url}{row['id']}/",
                due_on=due_on,
                due_label=due_label,
                overdue=is_overdue,
                checklist_total=row["checklist_total"],
                checklist_done=row["checklist_done"],
                comment_count=row["comment_count"],
                assignee_id=row["assignee_id"],
                assignee_name=assignee.display_name if assignee else "",
                assignee_initials=assignee.initials if assignee else "",
                label_list=labels.get(row["id"], []),
            )
        )
    return result


def board(
    *,
    project: Project,
    user: User,
    filters: BoardFilters,
    column_ids: list[int] | None = None,
    per_column: int = CARDS_PER_PAGE,
) -> list[BoardColumn]:
    """The board's columns (all, or ``column_ids``) with their first cards and full counts.

    The board as it opens (every column, no filter) runs its two statements from
    SQL compiled once (``_OPEN_BOARD_HEADERS``, ``_OPEN_BOARD_PAGE``); the same
    builders serve every other board, built per request.
    """
    headers = column_headers(project=project, user=user, filters=filters, column_ids=column_ids)
    if not headers:
        return []
    if column_ids is None and not filters.active:
        rows = _OPEN_BOARD_PAGE.fetch(project_id=project.pk, per_column=per_column)
    else:
        rows = list(
            _first_pages(
                project_id=project.pk,
                column_ids=[header.column.pk for header in headers],
                filters=filters,
                user=user,
                per_column=per_column,
            )
        )
    by_column: dict[int, list[Card]] = {header.column.pk: [] for header in headers}
    for card in _cards_of_rows(rows):
        # The first pages are the project's tasks: a task whose column is not among
        # the headers (a subset was asked for) is not shown, never an error.
        if card.column_id in by_column:
            by_column[card.column_id].append(card)
    for header in headers:
        header.cards = by_column[header.column.pk]
    return headers


def _first_pages(
    *,
    project_id: int,
    column_ids: list[int] | None,
    filters: BoardFilters,
    user: User | None,
    per_column: int,
) -> models.QuerySet[Task]:
    """The ``CARD_VALUES`` of the first ``per_column`` cards of each column of the project
    (or of ``column_ids``), in one query: the cards are numbered inside each column by
    rank and the first of each kept."""
    tasks = card_queryset().filter(project_id=project_id)
    if column_ids is not None:
        tasks = tasks.filter(column_id__in=column_ids)
    return (
        filters.apply(tasks, user)
        .annotate(
            row=models.Window(
                RowNumber(), partition_by=[models.F("column_id")], order_by=models.F("rank").asc()
            )
        )
        .filter(row__lte=per_column)
        .order_by("column_id", "rank")
        .values(*CARD_VALUES)
    )


def column_headers(
    *,
    project: Project,
    user: User,
    filters: BoardFilters,
    column_ids: list[int] | None,
    below: Task | None = None,
) -> list[BoardColumn]:
    """Columns with their (filtered) card counts and no cards, in one query: what a
    move changes in the columns besides the card itself.

    With ``below`` (a moved task) the column holding it also gets ``below_id``: the
    card shown just under it (None: it is the last), so a client can put the card
    in its place without the column being sent again.
    """
    if column_ids is None and below is None and not filters.active:
        columns = _OPEN_BOARD_HEADERS.fetch(project_id=project.pk)
    else:
        columns = _column_headers(
            project_id=project.pk, user=user, filters=filters, column_ids=column_ids, below=below
        )
    return [
        BoardColumn(column=column, total=column.total, in_column=getattr(column, "in_column", None))
        for column in columns
    ]


def _column_headers(
    *,
    project_id: int,
    user: User | None,
    filters: BoardFilters,
    column_ids: list[int] | None,
    below: Task | None,
) -> models.QuerySet[Column]:
    counted = (
        filters.apply(Task.objects.live().filter(column_id=models.OuterRef("pk")), user)
        .order_by()
        .values("column_id")
        .annotate(n=models.Count("pk", distinct=True))
        .values("n")
    )
    columns = project_columns(project_id)
    if column_ids is not None:
        columns = columns.filter(pk__in=column_ids)
    columns = columns.annotate(total=models.functions.Coalesce(models.Subquery(counted), 0))
    if filters.active:
        # The WIP limit holds for the whole column, not for the cards a filter shows.
        whole = (
            Task.objects.live()
            .filter(column_id=models.OuterRef("pk"))
            .order_by()
            .values("column_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        columns = columns.annotate(in_column=models.functions.Coalesce(models.Subquery(whole), 0))
    if below is not None:
        under = filters.apply(
            Task.objects.live().filter(column_id=models.OuterRef("pk"), rank__gt=below.rank),
            user,
        )
        first_under = under.order_by("rank").values("pk")[:1]
        columns = columns.annotate(below_id=models.Subquery(first_under))
    return columns


# The board as it opens, the page every visit starts with: its columns and first cards
# from SQL compiled once, not built per request (config.compiled_queries). Filtered
# boards, column subsets and moves build the same queries each time.
def _open_board_headers(*, project_id: int) -> models.QuerySet[Column]:
    return _column_headers(
        project_id=project_id, user=None, filters=BoardFilters(), column_ids=None, below=None
    )


def _open_board_page(*, project_id: int, per_column: int) -> models.QuerySet[Task]:
    return _first_pages(
        project_id=project_id,
        column_ids=None,
        filters=BoardFilters(),
        user=None,
        per_column=per_column,
    )


_OPEN_BOARD_HEADERS = CompiledQuery(_open_board_headers, samples={"project_id": (-1, -2)})
_OPEN_BOARD_PAGE = CompiledQuery(
    _open_board_page, samples={"project_id": (-1, -2), "per_column": (-3, -4)}
)


def column_cards_after(
    *,
    column: Column,
    user: User,
    filters: BoardFilters,
    after_rank: int | None,
    limit: int = CARDS_PER_PAGE,
) -> list[Card]:
    """The next cards of a column after ``after_rank``, or its first cards for None
    (keyset pagination: the same cost for the hundredth page as for the first)."""
    tasks = card_queryset().in_column(column.pk)
    if after_rank is not None:
        tasks = tasks.filter(rank__gt=after_rank)
    return cards(filters.apply(tasks, user).in_board_order()[:limit])


def board_state(project: Project) -> str:
    """A token that changes whenever anything on the board changes (one cheap query)."""
    state = Task.objects.filter(project=project).aggregate(
        latest=models.Max("updated_at"), count=models.Count("pk")
    )
    return _state_token(state["latest"], state["count"])


def _state_token(latest: datetime.datetime | None, count: int | None) -> str:
    return f"{latest.timestamp() if latest else 0:.6f}-{count or 0}"


def with_board_state(projects: models.QuerySet[Project]) -> models.QuerySet[Project]:
    """``projects`` annotated with what ``board_state`` is made of (``state_latest``,
    ``state_count``), so the state comes in the query that reads the project."""
    tasks = Task.objects.filter(project=models.OuterRef("pk")).order_by().values("project")
    return projects.annotate(
        state_latest=models.Subquery(tasks.annotate(m=models.Max("updated_at")).values("m")),
        state_count=models.Subquery(tasks.annotate(n=models.Count("pk")).values("n")),
    )


def board_state_annotated(project: Project) -> str:
    """``board_state`` of a project read through ``with_board_state`` (no query)."""
    return _state_token(project.state_latest, project.state_count)


def board_state_of(projects: models.QuerySet[Project]) -> str | None:
    """``board_state`` of the one project of ``projects`` (already narrowed to an id and
    to what the user may see), asked in the same query: None when it holds no project.

    What the board's poll runs: the visibility check and the state in one
    round trip, without reading the project itself.
    """
    row = with_board_state(projects).values("state_latest", "state_count").first()
    return None if row is None else _state_token(row["state_latest"], row["state_count"])


def columns_changed_since(project: Project, since: datetime.datetime) -> set[int]:
    """Columns whose cards changed after ``since``: where tasks are now, and where they left."""
    now_in = set(
        Task.objects.filter(project=project, updated_at__gt=since).values_list(
            "column_id", flat=True
        )
    )
    left = set(
        Activity.objects.filter(
            task__project=project,
            created_at__gt=since,
            kind=ActivityKind.MOVED,
            from_column__isnull=False,
        ).values_list("from_column_id", flat=True)
    )
    return now_in | left


def task_detail(task: Task) -> dict:
    """Everything the task dialog and page show, each list in one query.

    ``activities``: the latest 50 history lines (``history.HistoryLine``),
    rendered values only, from one ``values_list`` query (no model instances).
    ``project_labels``: all the project's labels (the editors offer them), read in
    the query that tells the task's own ``labels`` (a task only has its project's).
    """
    on_task = Task.labels.through.objects.filter(task_id=task.pk, label_id=models.OuterRef("pk"))
    all_labels = list(project_labels(task.project).annotate(on_task=models.Exists(on_task)))
    rows = task.activities.order_by("-created_at", "-pk").values_list(
        "created_at",
        "kind",
        "from_column_name",
        "to_column_name",
        "data",
        "actor__full_name",
        "actor__username",
    )[:50]
    return {
        "activities": history_lines(rows),
        "labels": [label for label in all_labels if label.on_task],
        "project_labels": all_labels,
        "checklist": list(task.checklist.order_by("position", "pk")),
        "comments": list(task.comments.select_related("author").order_by("created_at", "pk")),
        "reviews": list(task.reviews.select_related("reviewer").order_by("created_at", "pk")),
        "attachments": list(task_attachments(task)),
    }


def project_labels(project: Project) -> models.QuerySet[Label]:
    return Label.objects.filter(project=project).order_by("name")


def my_open_tasks(user: User, *, limit: int = 100) -> list[Task]:
    """Tasks assigned to the user in projects they can see, by due date (overdue first).

    Open tasks only, so the earliest due dates are the overdue ones
    (``Task.is_overdue``): no second spelling of that rule is needed to put
    them first.
    """
    return list(
        Task.objects.open()
        .assigned_to(user)
        .filter(project_id__in=visible_project_ids(user), project__archived=False)
        .select_related("project", "column")
        .order_by("project__name", models.F("due_on").asc(nulls_last=True), "number")[:limit]
    )


# The labels the API shows with a task, in the API's order.
API_TASK_LABELS = models.Prefetch("labels", queryset=Label.objects.order_by("pk"))


def api_tasks(user: User) -> models.QuerySet[Task]:
    """Tasks the user may see, with what the API shows of each, in a fixed number of queries."""
    return (
        Task.objects.visible_to(user)
        .select_related("project", "column")
        .prefetch_related(API_TASK_LABELS)
    )


# --- Mentor home: the review queue; intern home: recent reviews ------------------------------


REVIEW_QUEUE_LIMIT = 50


def review_queue(user: User, *, limit: int = REVIEW_QUEUE_LIMIT) -> list[Task]:
    """Tasks waiting in a review column of a team the user mentors today, oldest wait first.

    Each task carries ``waiting_since``: its last entry into review (its last
    update when its history has none, e.g. created straight into review).
    One query.
    """
    from projects.models import ColumnCategory
    from teams.models import Membership

    mentored = Membership.objects.active().of_user(user).mentors().values("team_id")
    entered = models.Max(
        "activities__created_at",
        filter=models.Q(activities__to_category=ColumnCategory.REVIEW),
    )
    return list(
        Task.objects.live()
        .filter(
            project__team_id__in=mentored,
            project__archived=False,
            column__category=ColumnCategory.REVIEW,
        )
        .annotate(waiting_since=models.functions.Coalesce(entered, "updated_at"))
        .select_related("project", "column", "assignee")
        .order_by("waiting_since", "pk")[:limit]
    )


def recent_reviews_of(user: User, *, days: int = 14, limit: int = 20) -> list:
    """Reviews of the user's tasks in the last ``days`` days, newest first: what changed
    for an intern (sent back with the mentor's comment, approved with a score)."""
    from tasks.models import Review

    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        Review.objects.filter(
            task__assignee=user,
            task__archived=False,
            task__project_id__in=visible_project_ids(user),
            created_at__gte=since,
        )
        .select_related("task__project", "reviewer")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- The task list (what every number of the analytics pages links to) -----------------------


class TaskState:
    """Values of the task list's ``state`` filter (the form gives them labels)."""

    OPEN = "open"
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    REVIEW = "review"
    DONE = "done"
    WIP = "wip"
    OVERDUE = "overdue"
    ALL = (OPEN, TODO, IN_PROGRESS, REVIEW, DONE, WIP, OVERDUE)


# Sort keys of the task list: the query parameter → the order_by fields.
TASK_LIST_SORTS: dict[str, tuple[str, ...]] = {
    "key": ("project__key", "number"),
    "title": ("title", "pk"),
    "assignee": ("assignee__full_name", "assignee__username", "pk"),
    "column": ("column__position", "pk"),
    "due": ("due_on", "pk"),
    "completed": ("completed_at", "pk"),
    "estimate": ("estimate", "pk"),
    "priority": ("priority", "pk"),
}


@dataclass(frozen=True)
class TaskListFilters:
    """The task list's filters: the board's plus project, state and a completion window.

    Days are local days of the configured ``TIME_ZONE``, as in analytics, so a
    number on an analytics page and the list it links to count the same tasks.
    """

    board: BoardFilters = field(default_factory=BoardFilters)
    project_id: int | None = None
    state: str = ""
    completed_from: datetime.date | None = None
    completed_to: datetime.date | None = None
    with_due: bool = False
    reviewed: bool = False
    sort: str = "key"
    descending: bool = False
    # The archive instead of the live tasks: what was taken off the boards, to restore.
    archived: bool = False


def _configured_zone():
    import zoneinfo

    from django.conf import settings

    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_configured_zone())


def task_list(user: User, filters: TaskListFilters) -> models.QuerySet[Task]:
    """Live (or, with ``archived``, archived) tasks of the projects the user may see,
    filtered and sorted (not yet paged)."""
    from projects.models import ColumnCategory

    open_categories = (ColumnCategory.TODO, ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW)
    tasks = Task.objects.filter(archived=True) if filters.archived else Task.objects.live()
    tasks = filters.board.apply(tasks.visible_to(user), user)
    if filters.project_id:
        tasks = tasks.filter(project_id=filters.project_id)
    state = filters.state
    if state == TaskState.OPEN:
        tasks = tasks.filter(column__category__in=open_categories)
    elif state == TaskState.WIP:
        tasks = tasks.filter(
            column__category__in=(ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW)
        )
    elif state == TaskState.OVERDUE:
        today = timezone.localtime(timezone.now(), _configured_zone()).date()
        tasks = tasks.filter(column__category__in=open_categories, due_on__lt=today)
    elif state:
        tasks = tasks.filter(column__category=state)
    if filters.completed_from or filters.completed_to:
        tasks = tasks.filter(column__category=ColumnCategory.DONE, completed_at__isnull=False)
    if filters.completed_from:
        tasks = tasks.filter(completed_at__gte=_day_start(filters.completed_from))
    if filters.completed_to:
        end = _day_start(filters.completed_to + datetime.timedelta(days=1))
        tasks = tasks.filter(completed_at__lt=end)
    if filters.with_due:
        tasks = tasks.filter(due_on__isnull=False)
    if filters.reviewed:
        from tasks.models import Review

        tasks = tasks.filter(models.Exists(Review.objects.filter(task=models.OuterRef("pk"))))
    fields = TASK_LIST_SORTS.get(filters.sort, TASK_LIST_SORTS["key"])
    order = [
        models.F(name).desc(nulls_last=True)
        if filters.descending
        else models.F(name).asc(nulls_last=True)
        for name in fields
    ]
    return tasks.select_related("project", "column", "assignee").order_by(*order)


def task_list_choices(user: User) -> tuple[list[Project], list]:
    """The projects the user may see and the members (past ones too: their tasks stay)
    of those projects' teams, one membership per user: the list's filter choices."""
    from projects.models import Project
    from teams.models import Membership

    projects = list(Project.objects.visible_to(user).order_by("archived", "key"))
    members: dict[int, Membership] = {}
    for membership in (
        Membership.objects.filter(team_id__in={project.team_id for project in projects})
        .select_related("user")
        .order_by("user__full_name", "user__username", "pk")
    ):
        members.setdefault(membership.user_id, membership)
    return projects, list(members.values())


# --- The "Move to" form's places ------------------------------------------------------------

# "After <task>" choices per column on the task page's move form; past them: "the bottom".
MOVE_PLACES_PER_COLUMN = 15


@dataclass(frozen=True)
class MovePlace:
    """A card of a column, as the move form names it: "after WEB-3 Login page"."""

    column_id: int
    key: str
    title: str


def move_places(task: Task, *, per_column: int = MOVE_PLACES_PER_COLUMN) -> list[MovePlace]:
    """The first live cards of every column of the task's project but the task itself, in
    board order, in one query: the places "after <card>" the move form offers.

    A card's index here is the 0-based position just above it, as ``task_move``
    counts positions (among the column's live tasks, the moving one excluded).
    On PostgreSQL each column's first cards are read from its (column, rank)
    index, whatever the board's size; elsewhere (SQLite) the same rows come
    from a window over the project's cards (``_move_places_rows_windowed``).
    """
    if connection.vendor == "postgresql":
        rows = _move_places_rows_lateral(task, per_column)
    else:
        rows = _move_places_rows_windowed(task, per_column)
    key = task.project.key
    return [
        MovePlace(column_id=column_id, key=f"{key}-{number}", title=title)
        for column_id, number, title in rows
    ]


def _move_places_rows_windowed(task: Task, per_column: int) -> list[tuple[int, int, str]]:
    return list(
        Task.objects.live()
        .filter(project_id=task.project_id)
        .exclude(pk=task.pk)
        .annotate(
            row=models.Window(
                RowNumber(), partition_by=[models.F("column_id")], order_by=models.F("rank").asc()
            )
        )
        .filter(row__lte=per_column)
        .order_by("column_id", "rank")
        .values_list("column_id", "number", "title")
    )


def _move_places_rows_lateral(task: Task, per_column: int) -> list[tuple[int, int, str]]:
    """The windowed rows, a LATERAL join per column: the window sorted all of a project's
    cards (2.9 ms at 2,000 in PostgreSQL, on every dialog); this reads 15 per column."""
    tasks = _q(Task._meta.db_table)
    columns = _q(Task._meta.get_field("column").related_model._meta.db_table)
    # Only our own tables' names go into the SQL; the values are parameters.
    sql = (
        f"SELECT c.id, t.number, t.title FROM {columns} AS c CROSS JOIN LATERAL ("  # noqa: S608
        f"SELECT number, title, rank FROM {tasks} WHERE column_id = c.id AND NOT archived"
        " AND id <> %s ORDER BY rank LIMIT %s) AS t"
        " WHERE c.project_id = %s ORDER BY c.id, t.rank"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [task.pk, per_column, task.project_id])
        return [tuple(row) for row in cursor.fetchall()]


def task_attachments(task: Task) -> models.QuerySet[Attachment]:
    """A task's attachments, oldest first, with their uploaders (one query)."""
    return (
        Attachment.objects.filter(task=task)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )
