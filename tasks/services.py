"""Use-cases that change tasks. Every one records an Activity row in its transaction.

Callers authorize with ``tasks.permissions`` first; these functions enforce
the rules that hold whoever calls: optimistic versions, WIP limits, the review
workflow, and a collision-free order inside each column.

Locking (why no two moves can collide, and why they cannot deadlock):
- a change to a column's order first locks that column's row
  (``SELECT … FOR NO KEY UPDATE``), so ranks are computed by one transaction
  at a time, while inserts that only reference the column are not blocked;
- the task row itself is written with ``filter(pk=…, version=v).update(…)``,
  which both detects a stale client (0 rows) and takes the row lock last;
- the rare rebalance of a column happens before the task is written, under
  the same column lock, so a transaction never waits for a task row while
  holding one another transaction needs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from integrations.models import EventType
from integrations.services import event_record
from projects.models import Column, ColumnCategory, Project
from projects.permissions import can_manage_project
from tasks.events import comment_payload, review_payload, task_payload
from tasks.models import (
    Activity,
    ActivityKind,
    ChecklistItem,
    Comment,
    Label,
    Priority,
    Review,
    ReviewDecision,
    Task,
)
from tasks.permissions import can_move_into
from teams.permissions import role_in_team

if TYPE_CHECKING:
    from accounts.models import User

# Ranks are spaced this far apart, so about 16 inserts at one spot fit before
# the column needs renumbering, and appends never do.
RANK_STEP = 1 << 16
STARTED_CATEGORIES = (ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW, ColumnCategory.DONE)
MAX_CHECKLIST_ITEMS = 100


class ConflictError(DomainError):
    """The client edited an old version of the task; ``task`` is the current one."""

    def __init__(self, task: Task):
        super().__init__(
            _(
                "Someone else changed this task meanwhile. "
                "Review the current version and try again."
            ),
            code="conflict",
        )
        self.task = task


@dataclass(frozen=True)
class Placement:
    column: Column
    rank: int


# --- Ordering -------------------------------------------------------------------------


def _lock_column(column_id: int) -> Column:
    # NO KEY UPDATE: serialises movers of this column, yet still lets other
    # transactions insert rows that merely reference it (an Activity's
    # from_column, a task moving in), which take KEY SHARE locks. A plain
    # FOR UPDATE would block those and deadlock two opposite moves. of=self:
    # the joined project row is read, not locked.
    return (
        Column.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project")
        .get(pk=column_id)
    )


def _live_ranks(column_id: int, *, exclude_task_id: int | None) -> models.QuerySet:
    tasks = Task.objects.live().filter(column_id=column_id)
    if exclude_task_id is not None:
        tasks = tasks.exclude(pk=exclude_task_id)
    return tasks.order_by("rank").values_list("rank", flat=True)


def _rebalance(column_id: int, *, exclude_task_id: int | None) -> None:
    """Renumber a column's live tasks RANK_STEP apart, keeping their order.

    Precondition: the column row is locked. Rows are locked too, and updated
    in two passes (negative placeholders first) because the unique
    (column, rank) constraint is checked row by row.
    """
    tasks = Task.objects.live().filter(column_id=column_id)
    if exclude_task_id is not None:
        tasks = tasks.exclude(pk=exclude_task_id)
    ids = list(tasks.select_for_update(no_key=True).order_by("rank").values_list("pk", flat=True))
    if exclude_task_id is not None:
        # The task being moved may sit in this column too: park it on a
        # placeholder no renumbered task will take; its move sets the real rank.
        Task.objects.filter(pk=exclude_task_id, column_id=column_id).update(rank=-(len(ids) + 1))
    for index, pk in enumerate(ids):
        Task.objects.filter(pk=pk, column_id=column_id).update(rank=-(index + 1))
    for index, pk in enumerate(ids):
        Task.objects.filter(pk=pk, column_id=column_id).update(rank=(index + 1) * RANK_STEP)


def _rank_at(column_id: int, position: int | None, *, exclude_task_id: int | None = None) -> int:
    """A free rank that puts a task at 0-based ``position`` among the column's live tasks.

    ``None`` (or a position past the end) means the end. Reads only the two
    neighbours (constant cost whatever the column size); renumbers the column
    when they leave no gap. Precondition: the column row is locked.
    """
    ranks = _live_ranks(column_id, exclude_task_id=exclude_task_id)
    if position is None:
        return (ranks.last() or 0) + RANK_STEP
    position = max(0, position)
    for _attempt in range(2):
        neighbours = list(ranks[max(0, position - 1) : position + 1])
        if position == 0:
            before, after = 0, (neighbours[0] if neighbours else None)
        else:
            if not neighbours:  # past the end: clamp to the end
                last = ranks.last()
                return (last or 0) + RANK_STEP
            before = neighbours[0]
            after = neighbours[1] if len(neighbours) > 1 else None
        if after is None:
            return before + RANK_STEP
        if after - before >= 2:
            return (before + after) // 2
        _rebalance(column_id, exclude_task_id=exclude_task_id)
    raise AssertionError("a rebalanced column always has gaps")  # pragma: no cover


def _check_wip(column: Column, *, adding_task_id: int | None = None) -> None:
    if column.wip_limit is None:
        return
    held = Task.objects.live().filter(column=column)
    if adding_task_id is not None:
        held = held.exclude(pk=adding_task_id)
    if held.count() >= column.wip_limit:
        raise DomainError(
            _("“%(column)s” is at its WIP limit of %(limit)d: finish something there first.")
            % {"column": column.name, "limit": column.wip_limit},
            code="wip_limit",
            field="column",
        )


def _timestamps_for(category: str, now: datetime.datetime) -> dict[str, Any]:
    """started_at is set on first entry into work; completed_at tracks being in done."""
    stamps: dict[str, Any] = {
        "completed_at": now if category == ColumnCategory.DONE else None,
    }
    if category in STARTED_CATEGORIES:
        stamps["started_at"] = Coalesce(models.F("started_at"), models.Value(now))
    return stamps


def _record(
    task: Task,
    by: User | None,
    kind: str,
    *,
    at: datetime.datetime | None = None,
    from_column: Column | None = None,
    to_column: Column | None = None,
    **data: Any,
) -> Activity:
    return Activity.objects.create(
        task=task,
        actor=by,
        kind=kind,
        from_column=from_column,
        to_column=to_column,
        from_category=from_column.category if from_column else "",
        to_category=to_column.category if to_column else "",
        data=data,
        created_at=at or timezone.now(),
    )


def _fresh(task_id: int) -> Task:
    return Task.objects.select_related("project", "column", "assignee", "reporter").get(pk=task_id)


def _emit(task: Task, event_type: str, **extra: Any) -> None:
    """Record an outbox event in the current transaction (webhooks, later analytics)."""
    event_record(project=task.project, type=event_type, data={"task": task_payload(task), **extra})


def _check_assignee(project: Project, assignee: User | None) -> None:
    if assignee is not None and role_in_team(assignee, project.team_id) is None:
        raise DomainError(
            _("Only a member of the team can be assigned."), code="assignee", field="assignee"
        )


def _check_labels(project: Project, labels: list[Label]) -> None:
    if any(label.project_id != project.pk for label in labels):
        raise DomainError(_("Unknown label."), code="label", field="labels")


# --- Create and edit --------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    project: Project,
    by: User,
    title: str,
    column: Column | None = None,
    description: str = "",
    assignee: User | None = None,
    priority: str = Priority.MEDIUM,
    labels: list[Label] | None = None,
    estimate: int | None = None,
    due_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Task:
    """Create a task at the end of ``column`` (default: the project's first column).

    ``at`` back-dates the creation (demo data and imports); it defaults to now.
    """
    title = title.strip()
    if not title:
        raise DomainError(_("A task needs a title."), code="title", field="title")
    if column is None:
        column = Column.objects.filter(project=project).order_by("position").first()
    if column is None or column.project_id != project.pk:
        raise DomainError(_("Unknown column."), code="column", field="column")
    if not can_move_into(by, project, column):
        raise DomainError(
            _("Only a mentor can put a task straight into “%(column)s”.") % {"column": column.name},
            code="review_required",
            field="column",
        )
    _check_assignee(project, assignee)
    _check_labels(project, labels or [])
    now = at or timezone.now()
    # The project row lock serialises task numbering; the column lock, ranks.
    Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk").get()
    column = _lock_column(column.pk)
    _check_wip(column)
    number = (Task.objects.filter(project=project).aggregate(n=models.Max("number"))["n"] or 0) + 1
    task = Task.objects.create(
        project=project,
        number=number,
        title=title,
        description=description,
        column=column,
        rank=_rank_at(column.pk, None),
        assignee=assignee,
        reporter=by,
        priority=priority,
        estimate=estimate,
        due_on=due_on,
        created_at=now,
        updated_at=now,
        started_at=now if column.category in STARTED_CATEGORIES else None,
        completed_at=now if column.category == ColumnCategory.DONE else None,
    )
    if labels:
        task.labels.set(labels)
    _record(task, by, ActivityKind.CREATED, at=now, to_column=column)
    if assignee is not None:
        _record(task, by, ActivityKind.ASSIGNED, at=now, assignee=assignee.pk)
    _emit(task, EventType.TASK_CREATED)
    return task


EDITABLE_FIELDS = ("title", "description", "priority", "estimate", "due_on")


@transaction.atomic
def task_update(*, task: Task, by: User, version: int, **changes: Any) -> Task:
    """Edit title, description, priority, estimate or due date, honouring ``version``.

    Only the fields passed change; a stale version raises ConflictError with
    the current task and changes nothing.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be edited here."), code="fields")
    if "title" in changes:
        changes["title"] = changes["title"].strip()
        if not changes["title"]:
            raise DomainError(_("A task needs a title."), code="title", field="title")
    now = timezone.now()
    updated = Task.objects.filter(pk=task.pk, version=version).update(
        **changes, version=models.F("version") + 1, updated_at=now
    )
    if not updated:
        raise ConflictError(_fresh(task.pk))
    changed = {
        name: str(value) if value is not None else None
        for name, value in changes.items()
        if getattr(task, name) != value
    }
    fresh = _fresh(task.pk)
    _record(fresh, by, ActivityKind.EDITED, at=now, fields=sorted(changed))
    _emit(fresh, EventType.TASK_UPDATED, fields=sorted(changed))
    return fresh


@transaction.atomic
def task_edit(
    *,
    task: Task,
    by: User,
    version: int,
    assignee: User | None,
    labels: list[Label],
    **changes: Any,
) -> Task:
    """The task form's save: fields, assignee and labels together, or nothing.

    ``version`` guards the whole edit; the assignee and labels change only
    when they differ from what is stored.
    """
    task = task_update(task=task, by=by, version=version, **changes)
    if (assignee.pk if assignee else None) != task.assignee_id:
        task = task_assign(task=task, by=by, assignee=assignee)
    return task_set_labels(task=task, by=by, labels=labels)


@transaction.atomic
def task_assign(*, task: Task, by: User, assignee: User | None, version: int | None = None) -> Task:
    """Assign the task to a team member, or unassign it with ``None``."""
    _check_assignee(task.project, assignee)
    tasks = Task.objects.filter(pk=task.pk)
    if version is not None:
        tasks = tasks.filter(version=version)
    now = timezone.now()
    if not tasks.update(assignee=assignee, version=models.F("version") + 1, updated_at=now):
        raise ConflictError(_fresh(task.pk))
    fresh = _fresh(task.pk)
    _record(fresh, by, ActivityKind.ASSIGNED, at=now, assignee=assignee.pk if assignee else None)
    _emit(fresh, EventType.TASK_UPDATED, fields=["assignee"])
    return fresh


@transaction.atomic
def task_set_labels(*, task: Task, by: User, labels: list[Label]) -> Task:
    _check_labels(task.project, labels)
    before = set(task.labels.values_list("pk", flat=True))
    after = {label.pk for label in labels}
    if before == after:
        return task
    task.labels.set(labels)
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(version=models.F("version") + 1, updated_at=now)
    fresh = _fresh(task.pk)
    _record(
        fresh,
        by,
        ActivityKind.LABELS,
        at=now,
        added=sorted(after - before),
        removed=sorted(before - after),
    )
    _emit(fresh, EventType.TASK_UPDATED, fields=["labels"])
    return fresh


@transaction.atomic
def label_create(*, project: Project, by: User, name: str, color: str = "slate") -> Label:
    name = name.strip()
    if not name:
        raise DomainError(_("A label needs a name."), code="name", field="name")
    if Label.objects.filter(project=project, name__iexact=name).exists():
        raise DomainError(
            _("This project already has a label with this name."), code="name_taken", field="name"
        )
    try:
        with transaction.atomic():
            return Label.objects.create(project=project, name=name, color=color)
    except IntegrityError as error:
        raise DomainError(
            _("This project already has a label with this name."), code="name_taken", field="name"
        ) from error


@transaction.atomic
def task_set_archived(*, task: Task, by: User, archived: bool) -> Task:
    """Archive (take off the board) or restore (to the end of its column)."""
    if task.archived == archived:
        return task
    now = timezone.now()
    if archived:
        Task.objects.filter(pk=task.pk).update(
            archived=True, rank=None, version=models.F("version") + 1, updated_at=now
        )
    else:
        column = _lock_column(task.column_id)
        _check_wip(column)
        Task.objects.filter(pk=task.pk).update(
            archived=False,
            rank=_rank_at(column.pk, None, exclude_task_id=task.pk),
            version=models.F("version") + 1,
            updated_at=now,
        )
    fresh = _fresh(task.pk)
    _record(fresh, by, ActivityKind.ARCHIVED if archived else ActivityKind.RESTORED, at=now)
    # Archiving takes a task off the board for good as far as integrations
    # can tell (the API's DELETE); restoring brings it back as an update.
    _emit(fresh, EventType.TASK_DELETED if archived else EventType.TASK_UPDATED)
    return fresh


# --- Moves ----------------------------------------------------------------------------------


def _place(
    *,
    task_id: int,
    by: User | None,
    column: Column,
    position: int | None,
    version: int | None,
    check_wip: bool,
    at: datetime.datetime | None,
    **activity_data: Any,
) -> Task:
    """Put a live task at ``position`` of ``column``; the one write path of every move."""
    target = _lock_column(column.pk)
    current = Task.objects.filter(pk=task_id).values("column_id", "version", "archived").first()
    if current is None:
        raise DomainError(_("This task no longer exists."), code="gone")
    if current["archived"]:
        raise DomainError(_("An archived task cannot be moved; restore it first."), code="archived")
    if version is not None and current["version"] != version:
        raise ConflictError(_fresh(task_id))
    if check_wip and current["column_id"] != target.pk:
        _check_wip(target, adding_task_id=task_id)
    now = at or timezone.now()
    rank = _rank_at(target.pk, position, exclude_task_id=task_id)
    updated = Task.objects.filter(pk=task_id, version=current["version"]).update(
        column=target,
        rank=rank,
        version=models.F("version") + 1,
        updated_at=now,
        **_timestamps_for(target.category, now),
    )
    if not updated:  # changed between our read and our write
        raise ConflictError(_fresh(task_id))
    fresh = _fresh(task_id)
    source = Column.objects.filter(pk=current["column_id"]).first()
    _record(
        fresh,
        by,
        ActivityKind.MOVED,
        at=now,
        from_column=source,
        to_column=target,
        position=position,
        **activity_data,
    )
    moved = {"from_column": current["column_id"], "to_column": target.pk}
    _emit(fresh, EventType.TASK_MOVED, **moved)
    if target.category == ColumnCategory.DONE and (
        source is None or source.category != target.category
    ):
        _emit(fresh, EventType.TASK_COMPLETED, **moved)
    return fresh


@transaction.atomic
def task_move(
    *,
    task: Task,
    by: User,
    column: Column,
    position: int | None,
    version: int,
    at: datetime.datetime | None = None,
) -> Task:
    """Move a task to 0-based ``position`` in ``column`` (the position the client saw; None: end).

    Writes the task row (column, rank, version, started/completed times) and
    one Activity; nothing else about the task changes. Refuses a stale
    ``version`` (ConflictError), a full column (WIP limit) and, for interns
    when the project requires review, a drop into ``done``.
    """
    if column.project_id != task.project_id:
        raise DomainError(_("Unknown column."), code="column", field="column")
    if not can_move_into(by, task.project, column):
        raise DomainError(
            _(
                "This project requires review: move the task to a review column "
                "and a mentor will approve it."
            ),
            code="review_required",
            field="column",
        )
    return _place(
        task_id=task.pk,
        by=by,
        column=column,
        position=position,
        version=version,
        check_wip=True,
        at=at,
    )


# --- Comments and checklist ---------------------------------------------------------------


@transaction.atomic
def comment_create(
    *, task: Task, by: User, body: str, at: datetime.datetime | None = None
) -> Comment:
    body = body.strip()
    if not body:
        raise DomainError(_("A comment cannot be empty."), code="body", field="body")
    now = at or timezone.now()
    comment = Comment.objects.create(task=task, author=by, body=body, created_at=now)
    Task.objects.filter(pk=task.pk).update(updated_at=now)
    _record(task, by, ActivityKind.COMMENTED, at=now, comment=comment.pk)
    _emit(_fresh(task.pk), EventType.COMMENT_CREATED, comment=comment_payload(comment))
    return comment


@transaction.atomic
def checklist_add(*, task: Task, by: User, text: str) -> ChecklistItem:
    text = text.strip()
    if not text:
        raise DomainError(_("A checklist item needs text."), code="text", field="text")
    Task.objects.select_for_update(no_key=True).filter(pk=task.pk).values_list("pk").get()
    count = ChecklistItem.objects.filter(task=task).count()
    if count >= MAX_CHECKLIST_ITEMS:
        raise DomainError(
            _("A checklist can have at most %(count)d items.") % {"count": MAX_CHECKLIST_ITEMS},
            code="too_many",
        )
    last = ChecklistItem.objects.filter(task=task).aggregate(p=models.Max("position"))["p"]
    item = ChecklistItem.objects.create(task=task, text=text, position=(last or 0) + 1)
    _touch(task, by, action="added", item=item.pk)
    return item


def _touch(task: Task, by: User, **data: Any) -> None:
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(updated_at=now)
    _record(task, by, ActivityKind.CHECKLIST, at=now, **data)


@transaction.atomic
def checklist_toggle(*, item: ChecklistItem, by: User, done: bool) -> ChecklistItem:
    ChecklistItem.objects.filter(pk=item.pk).update(done=done)
    item.done = done
    _touch(item.task, by, action="checked" if done else "unchecked", item=item.pk)
    return item


@transaction.atomic
def checklist_move(*, item: ChecklistItem, by: User, position: int) -> None:
    """Put a checklist item at 0-based ``position``; checklists are short, so renumber."""
    Task.objects.select_for_update(no_key=True).filter(pk=item.task_id).values_list("pk").get()
    items = list(ChecklistItem.objects.filter(task_id=item.task_id).order_by("position", "pk"))
    moving = next(i for i in items if i.pk == item.pk)
    items.remove(moving)
    items.insert(max(0, min(position, len(items))), moving)
    for index, each in enumerate(items):
        if each.position != index:
            ChecklistItem.objects.filter(pk=each.pk).update(position=index)
    _touch(item.task, by, action="moved", item=item.pk)


@transaction.atomic
def checklist_delete(*, item: ChecklistItem, by: User) -> None:
    ChecklistItem.objects.filter(pk=item.pk).delete()
    _touch(item.task, by, action="deleted", text=item.text)


# --- Review -----------------------------------------------------------------------------------


def _first_column(project: Project, category: str) -> Column:
    column = Column.objects.filter(project=project, category=category).order_by("position").first()
    if column is None:  # projects.services keeps one of each category
        raise DomainError(_("The board has no column for this step."), code="column")
    return column


@transaction.atomic
def review_submit(
    *,
    task: Task,
    by: User,
    decision: str,
    score: int | None = None,
    comment: str = "",
    at: datetime.datetime | None = None,
) -> Review:
    """A mentor's decision on a task waiting in a ``review`` column.

    ``approve`` needs a score 1–5 and moves the task to the end of the first
    ``done`` column; ``request_changes`` needs a comment and moves it back to
    the first ``in_progress`` column. These moves follow the mentor's
    decision, so WIP limits do not block them.
    """
    if not can_manage_project(by, task.project):
        raise DomainError(_("Only a mentor of the team can review."), code="forbidden")
    current = Task.objects.select_related("column").get(pk=task.pk)
    if current.archived or current.column.category != ColumnCategory.REVIEW:
        raise DomainError(
            _("Only a task waiting in a review column can be reviewed."), code="not_in_review"
        )
    comment = comment.strip()
    if decision == ReviewDecision.APPROVE:
        if score is None or not 1 <= score <= 5:
            raise DomainError(
                _("An approval needs a score from 1 to 5."), code="score", field="score"
            )
        target = _first_column(task.project, ColumnCategory.DONE)
    elif decision == ReviewDecision.REQUEST_CHANGES:
        if not comment:
            raise DomainError(
                _("Say what should change: a comment is required."), code="comment", field="comment"
            )
        score = None
        target = _first_column(task.project, ColumnCategory.IN_PROGRESS)
    else:
        raise DomainError(_("Unknown decision."), code="decision", field="decision")
    now = at or timezone.now()
    review = Review.objects.create(
        task=current, reviewer=by, decision=decision, score=score, comment=comment, created_at=now
    )
    _record(
        current, by, ActivityKind.REVIEWED, at=now, decision=decision, score=score, review=review.pk
    )
    _place(
        task_id=current.pk,
        by=by,
        column=target,
        position=None,
        version=None,
        check_wip=False,
        at=now,
        review=review.pk,
    )
    _emit(_fresh(current.pk), EventType.REVIEW_SUBMITTED, review=review_payload(review))
    return review
