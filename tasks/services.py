"""Use-cases that change tasks. Every one records an Activity row in its transaction.

Callers authorize with ``tasks.permissions`` first; these functions enforce
the rules that hold whoever calls: optimistic versions, WIP limits, the review
workflow, and a collision-free order inside each column.

Locking (why no two moves can collide, and why they cannot deadlock):
- a move locks the rows of BOTH columns it touches, the task's current one
  and the target, in id order (``SELECT … ORDER BY id FOR NO KEY UPDATE``),
  and only then the task row. Locking only the target once let two opposite
  moves deadlock: each rebalanced its target, which locked the other's task
  still sitting there. With one global order (project, then columns by id,
  then task rows) every rank change of a column happens under its lock, and
  whoever holds a task row waits for nothing a mover holds;
- NO KEY UPDATE still lets other transactions insert rows that merely
  reference a column or task (an Activity, a Review), which take KEY SHARE;
- should a deadlock or serialization failure happen anyway, the use-case is
  retried once from the start in a fresh transaction (``_atomic_retrying``),
  unless a caller's transaction encloses it (then the caller must retry);
- ranks come from ``tasks.ordering``: one row per move, occasionally a small
  window of the column, under the same column lock.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, models, transaction
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config import errors
from config.compiled_queries import CompiledQuery
from config.errors import DomainError
from integrations.models import EventType
from integrations.services import event_record
from projects.models import Column, ColumnCategory, Project
from projects.selectors import project_columns
from tasks import attachments, ordering
from tasks.events import comment_payload, review_payload, task_payload
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
from tasks.permissions import can_move_into, can_review, check_task_work
from teams.permissions import (
    VIEWER_SAMPLES,
    role_in_team,
    viewer_shape_and_values,
    viewer_stand_in,
    visible_with_role,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

logger = logging.getLogger(__name__)

# Re-exported: the spacing of ranks lives with the rest of the ordering rules.
RANK_STEP = ordering.RANK_STEP
STARTED_CATEGORIES = (ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW, ColumnCategory.DONE)
MAX_CHECKLIST_ITEMS = 100


class ConflictError(errors.ConflictError):
    """The client edited an old version of the task; ``task`` is the current one."""

    def __init__(self, task: Task):
        super().__init__(
            _(
                "Someone else changed this task meanwhile. "
                "Review the current version and try again."
            ),
            current=task,
        )

    @property
    def task(self) -> Task:
        return self.current


@dataclass(frozen=True)
class Placement:
    column: Column
    rank: int


# --- Locking ----------------------------------------------------------------------------

# SQLSTATEs PostgreSQL uses when it aborts a transaction that may succeed if run again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _is_retryable(error: OperationalError) -> bool:
    # Django wraps the driver's exception; psycopg's carries the SQLSTATE.
    return getattr(error.__cause__, "sqlstate", None) in _RETRYABLE_SQLSTATES


def _atomic_retrying(service: Callable[_P, _R]) -> Callable[_P, _R]:
    """``transaction.atomic``, and one more try after a deadlock or serialization failure.

    The locks below follow one global order, so this should never fire; it
    is the safety net that turns a rare abort into a slower answer instead
    of a 500. Only an outermost transaction can be retried: inside a
    caller's transaction the error propagates (the caller's work is lost too).
    """

    @functools.wraps(service)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return service(*args, **kwargs)
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        except OperationalError as error:
            if not _is_retryable(error):
                raise
            logger.warning("Retrying %s after %s", service.__name__, type(error.__cause__).__name__)
        with transaction.atomic():
            return service(*args, **kwargs)

    return run


def _lock_column(column_id: int) -> Column:
    # NO KEY UPDATE: serialises changes to this column's order, yet still lets
    # other transactions insert rows that merely reference it (an Activity's
    # from_column), which take KEY SHARE. of=self: the joined project row is
    # read, not locked.
    return (
        Column.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project")
        .get(pk=column_id)
    )


@dataclass(frozen=True)
class _Locked:
    """A task read whole under the locks of its column, the target column and its row."""

    task: Task
    columns: dict[int, Column]
    # The target column's ranks around the place asked for (``ordering.neighbour_ranks``),
    # read with the task's lock; None when the place was not known then.
    ranks: dict[str, int | None] | None = None

    @property
    def column_id(self) -> int:
        return self.task.column_id

    @property
    def version(self) -> int:
        return self.task.version

    @property
    def archived(self) -> bool:
        return self.task.archived


_NO_PLACE: Any = object()


def _lock_for_move(*, task: Task, target_id: int, place: int | None = _NO_PLACE) -> _Locked:
    """Lock the task's column and ``target_id`` (in id order), then the task row.

    The task's column is the one the caller read it in (``task.column_id``):
    no statement re-reads it before the lock. Should the task have left that
    column meanwhile, ``column_id`` of the locked row is not in ``columns`` and
    the caller refuses (the task changed; its version did too). Only columns
    of the task's project are locked: an id from elsewhere is an unknown column.
    The task row is read whole (project, column and people joined, as
    ``_fresh`` reads it), so a move needs no second read of it. With ``place``
    (a position, None: the end) the same statement reads the target column's
    ranks around it: the column is locked by then, so they hold until commit.
    """
    # ORDER BY before FOR NO KEY UPDATE: PostgreSQL locks the rows in that order.
    columns = {
        column.pk: column
        for column in Column.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in={task.column_id, target_id}, project_id=task.project_id)
        .order_by("pk")
    }
    return _lock_task_for_move(task_id=task.pk, columns=columns, target_id=target_id, place=place)


def _checked_move_columns(
    *, task_id: int, target_id: int, user_id: int, today: datetime.date, staff: bool, active: bool
) -> models.QuerySet[Column]:
    """The columns a move of task ``task_id`` to ``target_id`` locks, read with their
    project and the user's role in its team (``visible_with_role``): none when the user
    may not see the task. Built once per shape (``_CHECKED_MOVE_COLUMNS``)."""
    of_task = Task.objects.filter(pk=task_id)
    locking = (
        Column.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project")
        .filter(
            models.Q(pk=target_id) | models.Q(pk=models.Subquery(of_task.values("column_id"))),
            project_id=models.Subquery(of_task.values("project_id")),
        )
        .order_by("pk")
    )
    viewer = viewer_stand_in(user_id=user_id, staff=staff, active=active)
    return visible_with_role(locking, viewer, "project__team_id", today=today)


def _move_task_row(*, task_id: int, target_id: int, place: int | None) -> models.QuerySet[Task]:
    """The task row a move locks, read whole (project, column and people joined), with
    the target column's ranks around ``place`` when it is known (``ordering.neighbour_ranks``).
    Built once per shape (``_MOVE_TASK_ROW``)."""
    tasks = (
        Task.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project", "column", "assignee", "reporter")
        .filter(pk=task_id)
    )
    if place is not _NO_PLACE:
        tasks = tasks.annotate(
            **ordering.neighbour_ranks(target_id, place, exclude_task_id=task_id)
        )
    return tasks[:1]


# A move's two locking reads are its costliest statements to build: compiled once per
# shape and process (config.compiled_queries; docs/performance.md, fifth pass).
_IDS = {"task_id": (-11, -12), "target_id": (-21, -22)}
_CHECKED_MOVE_COLUMNS = CompiledQuery(_checked_move_columns, samples={**_IDS, **VIEWER_SAMPLES})
_MOVE_TASK_ROW = CompiledQuery(_move_task_row, samples=_IDS)


def _lock_for_checked_move(
    *, task_id: int, by: User, target_id: int, place: int | None = _NO_PLACE
) -> _Locked:
    """``_lock_for_move`` for a task known by its id only, asking on the way the rule
    of ``permissions.get_task_for_work`` (Http404 outside the team, PermissionDenied
    inside without the right).

    The statement that locks the columns finds them from the task's row (its
    column and project) and reads their project with the user's role in its
    team; a task the user may not see, or none, locks nothing. The columns are
    still locked before the task row, in id order, as every move locks them.
    """
    shape, viewer = viewer_shape_and_values(by)
    found = _CHECKED_MOVE_COLUMNS.fetch(shape=shape, task_id=task_id, target_id=target_id, **viewer)
    project = found[0].project if found else None
    if project is not None:
        project.viewer_role = found[0].viewer_role
    check_task_work(by, project)
    columns = {column.pk: column for column in found}
    return _lock_task_for_move(task_id=task_id, columns=columns, target_id=target_id, place=place)


def _lock_task_for_move(
    *, task_id: int, columns: dict[int, Column], target_id: int, place: int | None
) -> _Locked:
    """The second half of both locks above: the task row, its columns already locked."""
    if target_id not in columns:  # another project's, or deleted meanwhile (it held no task)
        raise DomainError(_("Unknown column."), code="column", field="column")
    rows = _MOVE_TASK_ROW.fetch(shape={"place": place}, task_id=task_id, target_id=target_id)
    if not rows:
        raise DomainError(_("This task no longer exists."), code="gone")
    current = rows[0]
    for column in columns.values():
        column.project = current.project
    ranks = None
    if place is not _NO_PLACE:
        ranks = {name: getattr(current, name) for name in ordering.neighbour_rank_names(place)}
    return _Locked(task=current, columns=columns, ranks=ranks)


def _check_wip(column: Column, *, adding_task_id: int | None = None) -> None:
    if column.wip_limit is None:
        return
    held = Task.objects.live().in_column(column.pk)
    if adding_task_id is not None:
        held = held.exclude(pk=adding_task_id)
    count = held.count()
    if count < column.wip_limit:
        return
    values = {"column": column.name, "limit": column.wip_limit, "count": count}
    if count == column.wip_limit:
        message = (
            _("“%(column)s” is at its WIP limit of %(limit)d: finish something there first.")
            % values
        )
    else:  # the limit was lowered below what the column holds
        message = (
            ngettext(
                "“%(column)s” holds %(count)d task, over its WIP limit of %(limit)d: "
                "move work out of it first.",
                "“%(column)s” holds %(count)d tasks, over its WIP limit of %(limit)d: "
                "move work out of it first.",
                count,
            )
            % values
        )
    raise DomainError(message, code="wip_limit", field="column")


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
        from_column_name=from_column.name if from_column else "",
        to_column_name=to_column.name if to_column else "",
        data=data,
        created_at=at or timezone.now(),
    )


def _fresh(task_id: int) -> Task:
    return Task.objects.select_related("project", "column", "assignee", "reporter").get(pk=task_id)


def _emit(
    task: Task,
    event_type: str,
    *,
    actor: User | None = None,
    at: datetime.datetime | None = None,
    **extra: Any,
) -> None:
    """Record an outbox event in the current transaction (webhooks, analytics, notifications).

    ``actor``: who made the change (None for the system), so consumers can
    leave them out (nobody is notified of their own action). ``at``: when it
    happened, if back-dated (demo data, imports), so consumers can tell history
    from news.
    """
    data = {
        "task": task_payload(task),
        "actor": actor.pk if actor else None,
        "at": (at or timezone.now()).isoformat(),
        **extra,
    }
    event_record(project=task.project, type=event_type, data=data)


def _check_assignee(project: Project, assignee: User | None) -> None:
    if assignee is not None and role_in_team(assignee, project.team_id) is None:
        raise DomainError(
            _("Only a member of the team can be assigned."), code="assignee", field="assignee"
        )


def _check_labels(project: Project, labels: list[Label]) -> None:
    if any(label.project_id != project.pk for label in labels):
        raise DomainError(_("Unknown label."), code="label", field="labels")


# --- Create and edit --------------------------------------------------------------------


@_atomic_retrying
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
        column = project_columns(project).first()
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
        rank=ordering.rank_at(column.pk, None),
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
        _record(
            task,
            by,
            ActivityKind.ASSIGNED,
            at=now,
            assignee=assignee.pk,
            assignee_name=assignee.display_name,
        )
    _emit(task, EventType.TASK_CREATED, actor=by, at=now)
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
    # New values are kept for the history line ("changed the due date to …"),
    # except the description, which may be long and is only "edited".
    values = {name: value for name, value in changed.items() if name != "description"}
    _record(fresh, by, ActivityKind.EDITED, at=now, fields=sorted(changed), values=values)
    _emit(fresh, EventType.TASK_UPDATED, actor=by, fields=sorted(changed))
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
    # The name as it is now is kept, so the history reads "assigned to …"
    # without a lookup and without changing when the user is renamed.
    _record(
        fresh,
        by,
        ActivityKind.ASSIGNED,
        at=now,
        assignee=assignee.pk if assignee else None,
        assignee_name=assignee.display_name if assignee else "",
    )
    _emit(
        fresh,
        EventType.TASK_UPDATED,
        actor=by,
        fields=["assignee"],
        previous_assignee=task.assignee_id,
    )
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
        added_names=sorted(label.name for label in labels if label.pk not in before),
        removed_names=sorted(
            Label.objects.filter(pk__in=before - after).values_list("name", flat=True)
        ),
    )
    _emit(fresh, EventType.TASK_UPDATED, actor=by, fields=["labels"])
    return fresh


@transaction.atomic
def task_edit_field(*, task: Task, by: User, version: int, field: str, value: Any) -> Task:
    """One field edited in place (the task dialog): ``task_update``, ``task_assign`` or
    ``task_set_labels``, guarded by the ``version`` the editor saw.

    ``field`` is ``assignee`` (a User or None), ``labels`` (a list of Labels) or one
    of ``EDITABLE_FIELDS``. A value equal to the stored one changes nothing (no
    version bump, no history line), but a stale version is refused all the same.
    """
    if field not in (*EDITABLE_FIELDS, "assignee", "labels"):
        raise DomainError(_("These fields cannot be edited here."), code="fields")
    # Lock the row at the version the editor saw (NO KEY UPDATE, as moves do: the
    # Activity rows written below still reference it). Two in-place edits of one
    # task then run one after the other, and the second finds the version
    # changed; task_set_labels, which takes no version, runs under this lock.
    current = (
        Task.objects.select_for_update(no_key=True, of=("self",))
        .select_related("project", "column", "assignee", "reporter")
        .filter(pk=task.pk, version=version)
        .first()
    )
    if current is None:
        raise ConflictError(_fresh(task.pk))
    if field == "assignee":
        if (value.pk if value else None) == current.assignee_id:
            return current
        return task_assign(task=current, by=by, assignee=value, version=version)
    if field == "labels":
        return task_set_labels(task=current, by=by, labels=list(value))
    if field == "title":
        value = value.strip()
    if getattr(current, field) == value:
        return current
    return task_update(task=current, by=by, version=version, **{field: value})


@transaction.atomic
def label_create(*, project: Project, by: User, name: str, color: str = LabelColor.SLATE) -> Label:
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
def task_label_add(*, task: Task, by: User, name: str, color: str = LabelColor.SLATE) -> Label:
    """Create a project label and put it on the task: both, or neither."""
    label = label_create(project=task.project, by=by, name=name, color=color)
    task_set_labels(task=task, by=by, labels=[*task.labels.all(), label])
    return label


@_atomic_retrying
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
            rank=ordering.rank_at(column.pk, None, exclude_task_id=task.pk),
            version=models.F("version") + 1,
            updated_at=now,
        )
    fresh = _fresh(task.pk)
    _record(fresh, by, ActivityKind.ARCHIVED if archived else ActivityKind.RESTORED, at=now)
    # Archiving takes a task off the board for good as far as integrations
    # can tell (the API's DELETE); restoring brings it back as an update.
    _emit(fresh, EventType.TASK_DELETED if archived else EventType.TASK_UPDATED, actor=by)
    return fresh


# --- Moves ----------------------------------------------------------------------------------


def _place(
    *,
    task: Task,
    by: User | None,
    column_id: int,
    position: int | None,
    version: int | None,
    check_wip: bool,
    at: datetime.datetime | None,
    before: int | None = None,
    locked: _Locked | None = None,
    may_enter: Callable[[Project, Column], bool] | None = None,
    **activity_data: Any,
) -> Task:
    """Put a live task at ``position`` of column ``column_id``; the one write path of every move.

    ``task``: the task as the caller read it (its id, project and column are
    used; the rest is read again under the locks).
    ``before``: the id of a card of the column to put the task just above
    (drag and drop); it wins over ``position`` while that card is there.
    ``locked``: the caller already took ``_lock_for_move`` (a review checks
    the task's state under the locks before it decides).
    ``may_enter``: a rule on the target column, asked once it is read (under its lock).
    """
    if locked is None:
        # Without ``before`` the place is known now: its ranks come with the lock.
        place = position if before is None else _NO_PLACE
        locked = _lock_for_move(task=task, target_id=column_id, place=place)
    target = locked.columns[column_id]
    if may_enter is not None and not may_enter(locked.task.project, target):
        raise DomainError(
            _(
                "This project requires review: move the task to a review column "
                "and a mentor will approve it."
            ),
            code="review_required",
            field="column",
        )
    current = locked.task
    if locked.archived:
        raise DomainError(_("An archived task cannot be moved; restore it first."), code="archived")
    if version is not None and locked.version != version:
        raise ConflictError(current)
    if locked.column_id not in locked.columns:  # moved away before we locked its column
        raise ConflictError(current)
    if check_wip and locked.column_id != target.pk:
        _check_wip(target, adding_task_id=current.pk)
    now = at or timezone.now()
    known = locked.ranks
    if before is not None:
        # Counted under the column lock, so the card cannot move meanwhile.
        above = ordering.position_before(target.pk, before, moving_task_id=current.pk)
        position = above if above is not None else position
        known = None  # read for another place, if at all
    rank = ordering.rank_at(target.pk, position, exclude_task_id=current.pk, known=known)
    # The row is locked and its version checked: the filter on version only
    # restates the precondition.
    stamps = _timestamps_for(target.category, now)
    updated = Task.objects.filter(pk=current.pk, version=locked.version).update(
        column=target,
        rank=rank,
        version=models.F("version") + 1,
        updated_at=now,
        **stamps,
    )
    if not updated:  # pragma: no cover - excluded by the row lock
        raise ConflictError(_fresh(current.pk))
    source = locked.columns[locked.column_id]
    # The row as just written, without reading it back: the same values the
    # UPDATE computed (started_at is kept once set, as its COALESCE does).
    current.column = target
    current.rank = rank
    current.version = locked.version + 1
    current.updated_at = now
    current.completed_at = stamps["completed_at"]
    if "started_at" in stamps and current.started_at is None:
        current.started_at = now
    _record(
        current,
        by,
        ActivityKind.MOVED,
        at=now,
        from_column=source,
        to_column=target,
        position=position,
        **activity_data,
    )
    moved: dict[str, Any] = {
        "from_column": source.pk,
        "to_column": target.pk,
        "from_category": source.category,
    }
    if "review" in activity_data:  # the move a review decision made
        moved["review"] = activity_data["review"]
    _emit(current, EventType.TASK_MOVED, actor=by, at=now, **moved)
    if target.category == ColumnCategory.DONE and source.category != target.category:
        _emit(current, EventType.TASK_COMPLETED, actor=by, at=now, **moved)
    return current


@_atomic_retrying
def task_move(
    *,
    task: Task,
    by: User,
    column: Column | int,
    position: int | None,
    version: int,
    before: int | None = None,
    at: datetime.datetime | None = None,
) -> Task:
    """Move a task to 0-based ``position`` in ``column`` (the position the client saw; None: end).

    ``column``: a column of the task's project, or its id (read under its lock
    then, so callers need not fetch it first); any other is an unknown column.
    ``before`` (a task id) puts it just above that card of ``column`` instead,
    counted among all the column's live tasks: what a drop on a filtered
    board means. A ``before`` that is not a live card of ``column`` (moved or
    archived meanwhile) leaves ``position`` in charge.

    Writes the task row (column, rank, version, started/completed times) and
    one Activity; nothing else about the task changes. Refuses a stale
    ``version`` (ConflictError), a full column (WIP limit) and, for interns
    when the project requires review, a drop into ``done``. Returns the task
    as written, its project, column and people joined.
    """
    column_id = column if isinstance(column, int) else column.pk
    return _place(
        task=task,
        by=by,
        column_id=column_id,
        position=position,
        version=version,
        check_wip=True,
        at=at,
        before=before,
        may_enter=lambda project, target: can_move_into(by, project, target),
    )


@_atomic_retrying
def task_move_checked(
    *,
    task_id: int,
    by: User,
    column: int,
    position: int | None,
    version: int,
    before: int | None = None,
) -> tuple[Task, int]:
    """``task_move`` for a request naming the task by id: the moved task and the id of
    the column it left.

    The rule of ``permissions.get_task_for_work`` (Http404 outside the task's
    team, PermissionDenied without the right to change its tasks) is asked of
    the rows the move locks, in the statement that locks the columns, instead
    of by a read of the task before the locks: one statement fewer on every
    move from the board. Everything else is ``task_move``'s.
    """
    locked = _lock_for_checked_move(
        task_id=task_id,
        by=by,
        target_id=column,
        place=position if before is None else _NO_PLACE,
    )
    source_id = locked.column_id  # before _place writes the target into the task
    moved = _place(
        task=locked.task,
        by=by,
        column_id=column,
        position=position,
        version=version,
        check_wip=True,
        at=None,
        before=before,
        locked=locked,
        may_enter=lambda project, target: can_move_into(by, project, target),
    )
    return moved, source_id


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
    _emit(
        _fresh(task.pk),
        EventType.COMMENT_CREATED,
        actor=by,
        at=now,
        comment=comment_payload(comment),
    )
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
    column = project_columns(project).of_category(category).first()
    if column is None:  # projects.services keeps one of each category
        raise DomainError(_("The board has no column for this step."), code="column")
    return column


@_atomic_retrying
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

    The task's state is checked under the locks its move takes (its column,
    the target column, its row), so of two submissions racing (a double
    click on Approve, two mentors) the second sees the task already out of
    review and is refused: one Review, one move, one event.
    """
    if not can_review(by, task.project):  # the same rule as the pages and the API
        raise DomainError(_("Only a mentor of the team can review."), code="forbidden")
    targets = {
        ReviewDecision.APPROVE: ColumnCategory.DONE,
        ReviewDecision.REQUEST_CHANGES: ColumnCategory.IN_PROGRESS,
    }
    # An unknown decision is refused below, after the state checks, as before.
    target = _first_column(task.project, targets.get(decision, ColumnCategory.DONE))
    locked = _lock_for_move(task=task, target_id=target.pk, place=None)  # to the end
    if locked.archived:
        raise DomainError(
            _("An archived task cannot be reviewed; restore it first."), code="archived"
        )
    source = locked.columns.get(locked.column_id)
    if source is None:  # moved on between our read and our lock
        raise ConflictError(locked.task)
    if source.category != ColumnCategory.REVIEW:
        raise DomainError(
            _("Only a task waiting in a review column can be reviewed."), code="not_in_review"
        )
    comment = comment.strip()
    if decision == ReviewDecision.APPROVE:
        if score is None or not 1 <= score <= 5:
            raise DomainError(
                _("An approval needs a score from 1 to 5."), code="score", field="score"
            )
    elif decision == ReviewDecision.REQUEST_CHANGES:
        if not comment:
            raise DomainError(
                _("Say what should change: a comment is required."), code="comment", field="comment"
            )
        score = None
    else:
        raise DomainError(_("Unknown decision."), code="decision", field="decision")
    now = at or timezone.now()
    current = locked.task  # read whole under the locks: no second read
    review = Review.objects.create(
        task=current, reviewer=by, decision=decision, score=score, comment=comment, created_at=now
    )
    _record(
        current, by, ActivityKind.REVIEWED, at=now, decision=decision, score=score, review=review.pk
    )
    moved = _place(
        task=current,
        by=by,
        column_id=target.pk,
        position=None,
        version=None,
        check_wip=False,
        at=now,
        locked=locked,
        review=review.pk,
    )
    _emit(moved, EventType.REVIEW_SUBMITTED, actor=by, at=now, review=review_payload(review))
    return review


# --- Attachments ------------------------------------------------------------------------


def _attachment_room(task: Task, size: int) -> None:
    quota = settings.ATTACHMENT_PROJECT_QUOTA_BYTES
    if not quota:
        return
    # The project row is locked so that two uploads racing for the last free
    # space cannot both fit; projects come first in the global lock order.
    project = Project.objects.select_for_update(no_key=True).filter(pk=task.project_id)
    project.values_list("pk").get()
    used = Attachment.objects.filter(task__project_id=task.project_id).aggregate(
        total=models.Sum("size")
    )["total"]
    if (used or 0) + size > quota:
        raise DomainError(
            _("The project's attachments use %(used)s of %(quota)s; this file does not fit.")
            % {"used": filesizeformat(used or 0), "quota": filesizeformat(quota)},
            code="quota",
            field="file",
        )


@transaction.atomic
def attachment_add(*, task: Task, by: User, upload: UploadedFile) -> Attachment:
    """Store ``upload`` on ``task``, with a thumbnail when it decodes as an image.

    Precondition: the caller authorised with ``get_task_for_work`` and refused
    a request body over the cap before reading it (``attachments.body_too_large``);
    the size is checked here again, from the parsed file.
    """
    if not upload.size:
        raise DomainError(
            _("The file is empty (0 bytes): there is nothing to attach."),
            code="empty",
            field="file",
        )
    if upload.size > attachments.max_bytes():
        raise attachments.too_large()
    _attachment_room(task, upload.size)
    image = attachments.inspect_image(upload)
    content_type = image.content_type if image else attachments.declared_type(upload.content_type)
    attachment = Attachment(
        task=task,
        uploaded_by=by,
        original_name=attachments.display_name(upload.name),
        size=upload.size,
        content_type=content_type,
        created_at=timezone.now(),
    )
    # Storage names come from upload_to (random); the names given here are ignored.
    attachment.file.save("upload", upload, save=False)
    try:
        if image is not None:
            attachment.thumbnail.save("thumbnail.png", ContentFile(image.thumbnail), save=False)
        attachment.save()
        Task.objects.filter(pk=task.pk).update(updated_at=attachment.created_at)
        _record(
            task,
            by,
            ActivityKind.ATTACHED,
            at=attachment.created_at,
            attachment=attachment.pk,
            name=attachment.original_name,
            size=attachment.size,
        )
        url = settings.SITE_URL + attachments.api_download_path(attachment)
        _emit(
            _fresh(task.pk),
            EventType.ATTACHMENT_CREATED,
            actor=by,
            attachment=attachments.attachment_payload(attachment, url),
        )
    except BaseException:
        _delete_files(attachment)  # nothing refers to them: the row was not committed
        raise
    return attachment


def _delete_files(attachment: Attachment) -> None:
    for stored in (attachment.file, attachment.thumbnail):
        if stored:
            stored.storage.delete(stored.name)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    """Remove an attachment and, once that commits, its stored files.

    Precondition: ``attachments.can_delete_attachment`` allowed ``by`` (its
    uploader, a mentor of the team or staff).
    """
    task = attachment.task
    deleted, _rows = Attachment.objects.filter(pk=attachment.pk).delete()
    if not deleted:  # removed meanwhile by someone else: nothing left to do
        return
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(updated_at=now)
    _record(task, by, ActivityKind.DETACHED, at=now, name=attachment.original_name)
    transaction.on_commit(lambda: _delete_files(attachment))
