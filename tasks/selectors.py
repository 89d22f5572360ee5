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

from django.db import models
from django.db.models.functions import RowNumber
from django.db.models.lookups import Contains
from django.utils import timezone

from projects.models import Column, Project
from projects.selectors import visible_project_ids
from tasks.models import Activity, ChecklistItem, Comment, Label, Task
from tasks.querysets import UnicodeLower

if TYPE_CHECKING:
    from accounts.models import User

CARDS_PER_PAGE = 50
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
            tasks = tasks.filter(assignee=user)
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
            by_key &= models.Q(project__key=key["key"].upper())
        matches |= by_key
    return tasks.filter(matches)


@dataclass
class BoardColumn:
    column: Column
    total: int
    cards: list[Task] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return len(self.cards) < self.total

    @property
    def last_rank(self) -> int | None:
        return self.cards[-1].rank if self.cards else None

    @property
    def over_limit(self) -> bool:
        return self.column.wip_limit is not None and self.total >= self.column.wip_limit


def card_queryset() -> models.QuerySet[Task]:
    """Everything a card shows, in a fixed number of queries."""
    checklist = ChecklistItem.objects.filter(task=models.OuterRef("pk"))
    comments = Comment.objects.filter(task=models.OuterRef("pk"))
    return (
        Task.objects.live()
        .select_related("project", "assignee")
        .prefetch_related(models.Prefetch("labels", queryset=Label.objects.order_by("name")))
        .annotate(
            checklist_total=_count(checklist),
            checklist_done=_count(checklist.filter(done=True)),
            comment_count=_count(comments),
        )
    )


def _count(queryset: models.QuerySet) -> models.Subquery:
    counted = queryset.order_by().values("task").annotate(n=models.Count("pk")).values("n")
    return models.functions.Coalesce(models.Subquery(counted), 0)


def board(
    *,
    project: Project,
    user: User,
    filters: BoardFilters,
    column_ids: list[int] | None = None,
    per_column: int = CARDS_PER_PAGE,
) -> list[BoardColumn]:
    """The board's columns (all, or ``column_ids``) with their first cards and full counts."""
    columns = Column.objects.filter(project=project).order_by("position")
    if column_ids is not None:
        columns = columns.filter(pk__in=column_ids)
    columns = list(columns)
    if not columns:
        return []
    ids = [column.pk for column in columns]
    filtered = filters.apply(Task.objects.live().filter(column_id__in=ids), user)
    counts = dict(
        filtered.order_by()
        .values("column_id")
        .annotate(n=models.Count("pk", distinct=True))
        .values_list("column_id", "n")
    )
    # One query for every column's first page: number the cards inside each
    # column by rank and keep the first ``per_column`` of each.
    page = (
        filters.apply(card_queryset().filter(column_id__in=ids), user)
        .annotate(
            row=models.Window(
                RowNumber(), partition_by=[models.F("column_id")], order_by=models.F("rank").asc()
            )
        )
        .filter(row__lte=per_column)
        .order_by("column_id", "rank")
    )
    by_column: dict[int, list[Task]] = {column_id: [] for column_id in ids}
    for task in page:
        by_column[task.column_id].append(task)
    return [
        BoardColumn(column=column, total=counts.get(column.pk, 0), cards=by_column[column.pk])
        for column in columns
    ]


def column_cards_after(
    *,
    column: Column,
    user: User,
    filters: BoardFilters,
    after_rank: int | None,
    limit: int = CARDS_PER_PAGE,
) -> list[Task]:
    """The next cards of a column after ``after_rank``, or its first cards for None
    (keyset pagination: the same cost for the hundredth page as for the first)."""
    cards = card_queryset().filter(column=column)
    if after_rank is not None:
        cards = cards.filter(rank__gt=after_rank)
    return list(filters.apply(cards, user).order_by("rank")[:limit])


def position_before(*, column: Column, before: Task, moving_task_id: int) -> int:
    """The 0-based position, among all live tasks of ``column``, just before ``before``.

    The board may show a filtered subset; dropping a card before another one
    means that place in the full column.
    """
    return (
        Task.objects.live()
        .filter(column=column, rank__lt=before.rank)
        .exclude(pk=moving_task_id)
        .count()
    )


def board_state(project: Project) -> str:
    """A token that changes whenever anything on the board changes (one cheap query)."""
    state = Task.objects.filter(project=project).aggregate(
        latest=models.Max("updated_at"), count=models.Count("pk")
    )
    latest = state["latest"].timestamp() if state["latest"] else 0
    return f"{latest:.6f}-{state['count']}"


def columns_changed_since(project: Project, since: datetime.datetime) -> set[int]:
    """Columns whose cards changed after ``since``: where tasks are now, and where they left."""
    now_in = set(
        Task.objects.filter(project=project, updated_at__gt=since).values_list(
            "column_id", flat=True
        )
    )
    left = set(
        Activity.objects.filter(
            task__project=project, created_at__gt=since, kind="moved", from_column__isnull=False
        ).values_list("from_column_id", flat=True)
    )
    return now_in | left


def task_detail(task: Task) -> dict:
    """Everything the task dialog and page show, each list in one query."""
    return {
        "labels": list(task.labels.order_by("name")),
        "checklist": list(task.checklist.order_by("position", "pk")),
        "comments": list(task.comments.select_related("author").order_by("created_at", "pk")),
        "reviews": list(task.reviews.select_related("reviewer").order_by("created_at", "pk")),
        "activities": list(
            task.activities.select_related("actor", "from_column", "to_column").order_by(
                "-created_at", "-pk"
            )[:50]
        ),
    }


def project_labels(project: Project) -> models.QuerySet[Label]:
    return Label.objects.filter(project=project).order_by("name")


def my_open_tasks(user: User, *, limit: int = 100) -> list[Task]:
    """Tasks assigned to the user in projects they can see, overdue first, then by due date."""
    today = timezone.localdate()
    return list(
        Task.objects.open()
        .filter(assignee=user, project_id__in=visible_project_ids(user), project__archived=False)
        .select_related("project", "column")
        .annotate(
            overdue=models.Case(
                models.When(due_on__lt=today, then=models.Value(0)),
                default=models.Value(1),
            )
        )
        .order_by("project__name", "overdue", models.F("due_on").asc(nulls_last=True), "number")[
            :limit
        ]
    )


def api_tasks(user: User) -> models.QuerySet[Task]:
    """Tasks the user may see, with what the API shows of each, in a fixed number of queries."""
    return (
        Task.objects.visible_to(user)
        .select_related("project", "column")
        .prefetch_related(models.Prefetch("labels", queryset=Label.objects.order_by("pk")))
    )
