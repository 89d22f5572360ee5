"""Computing the metric read models (DESIGN.md "Analytics (definitions)").

Two paths write the same rows with the same functions:

- **Incremental.** ``event_consume`` is the analytics consumer of the event
  log: in one transaction it records its receipt (so a redelivered event is a
  no-op) and marks the event's task stale in ``RecomputeKey`` (one row per
  task: a burst of 50 moves leaves one key). ``recompute_pending`` then
  recomputes the stale tasks' ``TaskMetrics``, the intern weeks they feed
  (old and new assignee, completion and review weeks) and their projects'
  days from the earliest touched day on.
- **Full rebuild.** ``rebuild`` (nightly beat job, ``recompute_analytics``)
  recomputes everything, or one team's projects and interns, or what changed
  since a date.

Both take one lock (``_serialise``) for their writes and read the source rows
only after taking it, so a rebuild and an incremental run can neither
interleave their delete-and-insert nor write stale numbers over fresh ones:
running either twice, or both at once, leaves the same rows.

Definitions (the tests work them out by hand):
- completed: the task is in a ``done`` column and not archived; it counts at
  its last entry into ``done`` (a reopened task counts once, when it was last
  completed; one reopened and not completed again does not count);
- cycle time: first entry into an ``in_progress`` column → completion; lead
  time: creation → completion;
- on time: completed on or before the due date, in the configured time zone
  (tasks without a due date count in neither part of the rate);
- first pass: approved at the first review (tasks with no review count in
  neither part); mentor score: the scores of the approving reviews of the
  tasks completed;
- throughput: tasks (and story points) completed in a week by their assignee;
  weeks are ISO weeks (Monday) in ``TIME_ZONE``;
- project days: tasks per column category at the end of each local day
  (archived tasks leave the board), from the project's first activity to today.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from analytics.models import InternWeek, ProjectDay, RecomputeKey, TaskMetrics
from analytics.querysets import completion_totals
from integrations.models import Event
from integrations.services import event_receive
from projects.models import ColumnCategory, Project
from tasks.models import Activity, ActivityKind, Review, ReviewDecision, Task

logger = logging.getLogger(__name__)

CONSUMER = "analytics"
# Event types that can change a metric; comments do not. task.updated counts
# only when it touches a field a metric reads (a restore carries no fields).
METRIC_EVENTS = {
    "task.created",
    "task.moved",
    "task.completed",
    "task.deleted",
    "review.submitted",
}
METRIC_FIELDS = {"assignee", "estimate", "due_on"}
CATEGORIES = (
    ColumnCategory.TODO,
    ColumnCategory.IN_PROGRESS,
    ColumnCategory.REVIEW,
    ColumnCategory.DONE,
)
# The activities that move a task on or off the board (the project's days).
FLOW_KINDS = (
    ActivityKind.CREATED,
    ActivityKind.MOVED,
    ActivityKind.ARCHIVED,
    ActivityKind.RESTORED,
)
RECOMPUTE_BATCH = 500
BULK_BATCH = 2000
# Any constant: the key of the PostgreSQL advisory lock analytics writers share.
LOCK_KEY = 7_220_911


# --- Time -----------------------------------------------------------------------------------


def zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, zone()).date()


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a local day."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone())


def today() -> datetime.date:
    return local_day(timezone.now())


def _serialise() -> None:
    """Hold the analytics write lock until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite serialises writing
    transactions by itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


# --- Task metrics -----------------------------------------------------------------------------


def _task_metrics(tasks: models.QuerySet[Task]) -> list[TaskMetrics]:
    """Fresh ``TaskMetrics`` for ``tasks`` from their Activity and Review rows.

    Three grouped queries (tasks, activity aggregates, review aggregates),
    whatever the number of tasks.
    """
    now = timezone.now()
    task_rows = list(
        tasks.order_by().values_list(
            "pk",
            "project_id",
            "assignee_id",
            "estimate",
            "due_on",
            "created_at",
            "archived",
            "column__category",
            "completed_at",
        )
    )
    if not task_rows:
        return []
    # A short literal list lets PostgreSQL use the activity's task index; the
    # subquery suits a whole project (the rebuild).
    ids = (
        [row[0] for row in task_rows]
        if len(task_rows) <= RECOMPUTE_BATCH
        else tasks.order_by().values("pk")
    )
    moves = {
        row["task_id"]: row
        # Kinds are filtered inside the aggregates, not in WHERE: the task
        # index alone finds a task's few rows.
        for row in Activity.objects.filter(task_id__in=ids)
        .order_by()
        .values("task_id")
        .annotate(
            started=models.Min(
                "created_at", filter=models.Q(to_category=ColumnCategory.IN_PROGRESS)
            ),
            done=models.Max("created_at", filter=models.Q(to_category=ColumnCategory.DONE)),
            flow_id=models.Max("pk", filter=models.Q(kind__in=FLOW_KINDS)),
        )
    }
    approve = models.Q(decision=ReviewDecision.APPROVE)
    reviews = {
        row["task_id"]: row
        for row in Review.objects.filter(task_id__in=ids)
        .order_by()
        .values("task_id")
        .annotate(
            count=models.Count("pk"),
            first=models.Min("created_at"),
            first_approval=models.Min("created_at", filter=approve),
            approvals=models.Count("pk", filter=approve),
            score_sum=models.Sum("score", filter=approve),
        )
    }
    result = []
    for (
        pk,
        project_id,
        assignee_id,
        estimate,
        due_on,
        created_at,
        archived,
        category,
        stamped_done,
    ) in task_rows:
        move = moves.get(pk, {})
        review = reviews.get(pk)
        started = move.get("started")
        completed = None
        if category == ColumnCategory.DONE and not archived:
            completed = move.get("done") or stamped_done
        metrics = TaskMetrics(
            task_id=pk,
            project_id=project_id,
            assignee_id=assignee_id,
            estimate=estimate,
            due_on=due_on,
            created_at=created_at,
            started_at=started,
            reviews=review["count"] if review else 0,
            first_pass=(review["first_approval"] == review["first"]) if review else None,
            flow_activity_id=move.get("flow_id") or 0,
            computed_at=now,
        )
        if completed is not None:
            metrics.completed_at = completed
            metrics.completed_on = local_day(completed)
            metrics.completed_week = week_of(metrics.completed_on)
            metrics.lead_seconds = max(int((completed - created_at).total_seconds()), 0)
            if started is not None and started <= completed:
                metrics.cycle_seconds = int((completed - started).total_seconds())
            if due_on is not None:
                metrics.on_time = metrics.completed_on <= due_on
        if review:
            metrics.approvals = review["approvals"]
            metrics.score_sum = review["score_sum"] or 0
        result.append(metrics)
    return result


TASK_METRIC_FIELDS = [
    field.name for field in TaskMetrics._meta.concrete_fields if not field.primary_key
]


def _upsert_task_metrics(rows: list[TaskMetrics]) -> None:
    """Insert or overwrite the rows in one statement per batch (tasks never lose their row)."""
    TaskMetrics.objects.bulk_create(
        rows,
        batch_size=BULK_BATCH,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=TASK_METRIC_FIELDS,
    )


# --- Intern weeks ---------------------------------------------------------------------------


def median_by(queryset: models.QuerySet, *, groups: list[str], value: str) -> dict[tuple, float]:
    """The median of ``value`` per ``groups`` tuple, in SQL: only middle rows leave the database.

    Row numbers and counts per group are window functions (SQLite and
    PostgreSQL alike); the 1 or 2 middle rows of a group of n satisfy
    n <= 2·row <= n + 2.
    """
    partition = [models.F(name) for name in groups]
    ranked = (
        queryset.filter(**{f"{value}__isnull": False})
        .order_by()
        .annotate(
            _row=models.Window(
                models.functions.RowNumber(),
                partition_by=partition,
                order_by=[models.F(value).asc(), models.F("pk").asc()],
            ),
            _n=models.Window(models.Count("pk"), partition_by=partition),
        )
        .annotate(_twice=models.F("_row") * 2)
        .filter(_twice__gte=models.F("_n"), _twice__lte=models.F("_n") + 2)
        .values_list(*groups, value)
    )
    middles: dict[tuple, list[int]] = defaultdict(list)
    for *key, number in ranked:
        middles[tuple(key)].append(number)
    return {key: sum(numbers) / len(numbers) for key, numbers in middles.items()}


def _completion_week_rows(metrics: models.QuerySet[TaskMetrics]) -> dict[tuple, dict]:
    done = metrics.filter(assignee__isnull=False, completed_week__isnull=False)
    rows = {
        (row["assignee_id"], row["completed_week"]): row
        for row in done.order_by()
        .values("assignee_id", "completed_week")
        .annotate(**completion_totals())
    }
    groups = ["assignee_id", "completed_week"]
    for name, field in (("median_cycle", "cycle_seconds"), ("median_lead", "lead_seconds")):
        for key, median in median_by(done, groups=groups, value=field).items():
            if key in rows:
                rows[key][name] = median
    return rows


def _review_week_rows(reviews: models.QuerySet[Review]) -> dict[tuple, dict]:
    rows = {}
    for row in (
        reviews.filter(task__assignee__isnull=False, task__archived=False)
        .annotate(week=TruncWeek("created_at", tzinfo=zone()))
        .order_by()
        .values("task__assignee_id", "week")
        .annotate(
            received=models.Count("pk"),
            changes=models.Count("pk", filter=models.Q(decision=ReviewDecision.REQUEST_CHANGES)),
        )
    ):
        week = row["week"]
        week = local_day(week) if isinstance(week, datetime.datetime) else week
        rows[(row["task__assignee_id"], week)] = row
    return rows


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def _intern_weeks(
    metrics: models.QuerySet[TaskMetrics], reviews: models.QuerySet[Review]
) -> list[InternWeek]:
    now = timezone.now()
    done = _completion_week_rows(metrics)
    reviewed = _review_week_rows(reviews)
    result = []
    for intern, week in sorted(set(done) | set(reviewed)):
        row = done.get((intern, week), {})
        review = reviewed.get((intern, week), {})
        result.append(
            InternWeek(
                intern_id=intern,
                week=week,
                completed=row.get("completed", 0),
                points=row.get("points", 0),
                median_cycle_seconds=_seconds(row.get("median_cycle")),
                mean_cycle_seconds=_seconds(row.get("mean_cycle")),
                median_lead_seconds=_seconds(row.get("median_lead")),
                mean_lead_seconds=_seconds(row.get("mean_lead")),
                with_due=row.get("with_due", 0),
                on_time=row.get("on_time_count", 0),
                reviewed=row.get("reviewed", 0),
                first_pass=row.get("first_pass_count", 0),
                approvals=row.get("approvals_sum", 0),
                score_sum=row.get("score_total", 0),
                reviews_received=review.get("received", 0),
                changes_requested=review.get("changes", 0),
                computed_at=now,
            )
        )
    return result


def _write_intern_weeks(keys: set[tuple[int, datetime.date]]) -> None:
    """Recompute the given (intern, week) rows, deleting those left with nothing."""
    if not keys:
        return
    by_intern: dict[int, set[datetime.date]] = defaultdict(set)
    for intern, week in keys:
        by_intern[intern].add(week)
    fresh: list[InternWeek] = []
    stale = models.Q()
    for intern, weeks in by_intern.items():
        first, last = min(weeks), max(weeks) + datetime.timedelta(days=7)
        metrics = TaskMetrics.objects.filter(assignee_id=intern, completed_week__in=sorted(weeks))
        reviews = Review.objects.filter(
            task__assignee_id=intern,
            created_at__gte=day_start(first),
            created_at__lt=day_start(last),
        )
        fresh.extend(row for row in _intern_weeks(metrics, reviews) if row.week in weeks)
        stale |= models.Q(intern_id=intern, week__in=sorted(weeks))
    InternWeek.objects.filter(stale).delete()
    InternWeek.objects.bulk_create(fresh, batch_size=BULK_BATCH)


# --- Project days -----------------------------------------------------------------------------


def _flow_deltas(activities: models.QuerySet[Activity]) -> dict[datetime.date, dict[str, int]]:
    """Per local day, how many tasks entered (+) or left (−) each column category.

    One grouped query. Created and moved activities carry their categories;
    an archive takes the task off the board from the category it was in
    (the last category any earlier activity of the task entered), a restore
    puts it back there.
    """
    was = (
        Activity.objects.filter(
            task_id=models.OuterRef("task_id"),
            created_at__lte=models.OuterRef("created_at"),
        )
        .exclude(to_category="")
        .order_by("-created_at", "-pk")
        .values("to_category")[:1]
    )
    parked = [ActivityKind.ARCHIVED, ActivityKind.RESTORED]
    rows = (
        activities.filter(kind__in=FLOW_KINDS)
        .annotate(
            day=TruncDate("created_at", tzinfo=zone()),
            was=models.Case(
                models.When(kind__in=parked, then=models.Subquery(was)),
                default=models.Value(""),
                output_field=models.CharField(),
            ),
        )
        .order_by()
        .values("day", "kind", "from_category", "to_category", "was")
        .annotate(n=models.Count("pk"))
    )
    deltas: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        day, count = row["day"], row["n"]
        if row["kind"] == ActivityKind.ARCHIVED:
            changes = [(row["was"], -count)]
        elif row["kind"] == ActivityKind.RESTORED:
            changes = [(row["was"], count)]
        else:
            changes = [(row["to_category"], count), (row["from_category"], -count)]
        for category, change in changes:
            if category:
                deltas[day][category] += change
    return deltas


def _write_project_days(project_id: int, since: datetime.date | None = None) -> None:
    """Recompute the project's days from ``since`` (None: from its first activity) to today."""
    activities = Activity.objects.filter(task__project_id=project_id)
    counts = dict.fromkeys(CATEGORIES, 0)
    if since is not None:
        baseline = ProjectDay.objects.filter(
            project_id=project_id, day=since - datetime.timedelta(days=1)
        ).first()
        if baseline is not None:
            counts = {category: getattr(baseline, category) for category in CATEGORIES}
            activities = activities.filter(created_at__gte=day_start(since))
        else:
            since = None  # no stored day before it to start from: recompute them all
    deltas = _flow_deltas(activities)
    last = today()
    first = since or (min(deltas) if deltas else None)
    ProjectDay.objects.filter(project_id=project_id, day__gte=since or datetime.date.min).delete()
    if first is None:
        return
    now = timezone.now()
    rows = []
    day = first
    while day <= max(last, max(deltas, default=last)):
        for category, change in deltas.get(day, {}).items():
            counts[category] = counts.get(category, 0) + change
        rows.append(
            ProjectDay(
                project_id=project_id,
                day=day,
                computed_at=now,
                **{category: counts.get(category, 0) for category in CATEGORIES},
            )
        )
        day += datetime.timedelta(days=1)
    ProjectDay.objects.bulk_create(rows, batch_size=BULK_BATCH)


# --- Incremental path -----------------------------------------------------------------------


def _task_id(data: object) -> int | None:
    """The task an event is about (task services put it in ``data["task"]["id"]``)."""
    task = data.get("task") if isinstance(data, dict) else None
    task_id = task.get("id") if isinstance(task, dict) else None
    return task_id if isinstance(task_id, int) else None


def _affects_metrics(event_type: str, data: dict) -> bool:
    if event_type in METRIC_EVENTS:
        return True
    if event_type == "task.updated":
        fields = data.get("fields")
        return fields is None or bool(METRIC_FIELDS & set(fields))
    return False


def event_consume(*, event_id: str) -> bool:
    """Handle one event of the log; whether it left a task to recompute.

    Idempotent: the receipt and the stale mark commit together, and a second
    delivery of the event finds the receipt and does nothing.
    """
    with transaction.atomic():
        event = event_receive(consumer=CONSUMER, event_id=event_id)
        if event is None:
            return False
        task_id = _task_id(event.data)
        if task_id is None or not _affects_metrics(event.type, event.data):
            return False
        mark_stale(task_ids=[task_id])
    return True


def later_event_waiting(*, event_id: str) -> bool:
    """Whether a later event of the same task is still to be consumed.

    In-process mode (no broker) has no "later" to coalesce into, so each
    event would recompute at once; when the same task has another event
    waiting (a back-dated history written in one transaction), that event's
    recompute covers this one too.
    """
    event = Event.objects.filter(pk=event_id).values("project_id", "created_at", "data").first()
    task_id = _task_id(event["data"]) if event else None
    if task_id is None:
        return False
    return (
        Event.objects.filter(
            project_id=event["project_id"],
            created_at__gt=event["created_at"],
            data__task__id=task_id,
        )
        .exclude(receipts__consumer=CONSUMER)
        .exists()
    )


def mark_stale(*, task_ids: Iterable[int]) -> None:
    """Queue tasks for recompute: one key per task, its ``queued_at`` refreshed (one upsert)."""
    now = timezone.now()
    RecomputeKey.objects.bulk_create(
        [RecomputeKey(task_id=task_id, queued_at=now) for task_id in task_ids],
        update_conflicts=True,
        unique_fields=["task_id"],
        update_fields=["queued_at"],
    )


def recompute_pending(*, limit: int = RECOMPUTE_BATCH) -> int:
    """Recompute up to ``limit`` stale tasks and what they feed; how many were done.

    A key is removed only if no event touched its task while we worked
    (its ``queued_at`` is still the one we read), so a change committed
    during the recompute is recomputed next time, never lost.
    """
    with transaction.atomic():
        _serialise()
        keys = list(RecomputeKey.objects.order_by("queued_at")[:limit])
        if not keys:
            return 0
        _recompute_tasks([key.task_id for key in keys])
        done = models.Q()
        for key in keys:
            done |= models.Q(task_id=key.task_id, queued_at=key.queued_at)
        RecomputeKey.objects.filter(done).delete()
    return len(keys)


def _recompute_tasks(task_ids: list[int]) -> None:
    old = {
        row[0]: row
        for row in TaskMetrics.objects.filter(task_id__in=task_ids).values_list(
            "task_id", "assignee_id", "completed_week", "project_id", "flow_activity_id"
        )
    }
    fresh = _task_metrics(Task.objects.filter(pk__in=task_ids))
    _upsert_task_metrics(fresh)

    assignees: dict[int, set[int]] = defaultdict(set)
    weeks: set[tuple[int, datetime.date]] = set()
    for _task, assignee, week, _project, _flow in old.values():
        if assignee is not None:
            assignees[_task].add(assignee)
            if week is not None:
                weeks.add((assignee, week))
    for row in fresh:
        if row.assignee_id is not None:
            assignees[row.task_id].add(row.assignee_id)
            if row.completed_week is not None:
                weeks.add((row.assignee_id, row.completed_week))
    # Reviews count in the week they were made, for whoever is the assignee.
    for task_id, created_at in Review.objects.filter(task_id__in=task_ids).values_list(
        "task_id", "created_at"
    ):
        week = week_of(local_day(created_at))
        weeks.update((assignee, week) for assignee in assignees[task_id])
    _write_intern_weeks(weeks)

    # Project days change from the first board activity not counted yet on;
    # an edit that moved nothing on the board leaves them as they are.
    seen = {task_id: old[task_id][4] if task_id in old else 0 for task_id in task_ids}
    projects: dict[int, datetime.date] = {}
    for task_id, project_id, activity_id, created_at, kind in (
        # Only the task in SQL: with "pk > seen" or the kinds, PostgreSQL may
        # scan a large index instead of these tasks' few rows.
        Activity.objects.filter(task_id__in=task_ids)
        .order_by()
        .values_list("task_id", "task__project_id", "pk", "created_at", "kind")
    ):
        if activity_id > seen[task_id] and kind in FLOW_KINDS:
            day = local_day(created_at)
            projects[project_id] = min(projects.get(project_id, day), day)
    for project_id, since in projects.items():
        _write_project_days(project_id, since)


# --- Full rebuild -------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildResult:
    projects: int
    tasks: int
    interns: int


def rebuild(
    *,
    team_id: int | None = None,
    since: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RebuildResult:
    """Recompute the read models: all, one team's, or what changed from ``since`` on.

    One transaction per project and per batch of interns, each under the
    analytics lock, so incremental updates go on between them and nothing
    is ever half-written. ``progress(done, total)`` is called after each step.
    """
    projects = Project.objects.order_by("pk")
    if team_id is not None:
        projects = projects.filter(team_id=team_id)
    project_ids = list(projects.values_list("pk", flat=True))
    intern_ids: set[int] = set()
    interns_query = Task.objects.filter(project_id__in=project_ids, assignee__isnull=False)
    intern_ids.update(interns_query.order_by().values_list("assignee_id", flat=True).distinct())
    intern_ids.update(
        TaskMetrics.objects.filter(project_id__in=project_ids, assignee__isnull=False)
        .order_by()
        .values_list("assignee_id", flat=True)
        .distinct()
    )
    interns = sorted(intern_ids)
    batches = [interns[i : i + 20] for i in range(0, len(interns), 20)]
    total = len(project_ids) + len(batches)
    step = 0
    tasks = 0
    for project_id in project_ids:
        with transaction.atomic():
            _serialise()
            selected = Task.objects.filter(project_id=project_id)
            if since is not None:
                selected = selected.filter(updated_at__gte=day_start(since))
            fresh = _task_metrics(selected)
            TaskMetrics.objects.filter(task_id__in=selected.values("pk")).delete()
            TaskMetrics.objects.bulk_create(fresh, batch_size=BULK_BATCH)
            tasks += len(fresh)
            _write_project_days(project_id, since)
        step += 1
        if progress:
            progress(step, total)
    first_week = week_of(since) if since else None
    for batch in batches:
        with transaction.atomic():
            _serialise()
            metrics = TaskMetrics.objects.filter(assignee_id__in=batch)
            reviews = Review.objects.filter(task__assignee_id__in=batch)
            stored = InternWeek.objects.filter(intern_id__in=batch)
            if first_week is not None:
                metrics = metrics.filter(completed_week__gte=first_week)
                reviews = reviews.filter(created_at__gte=day_start(first_week))
                stored = stored.filter(week__gte=first_week)
            stored.delete()
            InternWeek.objects.bulk_create(_intern_weeks(metrics, reviews), batch_size=BULK_BATCH)
        step += 1
        if progress:
            progress(step, total)
    logger.info(
        "Analytics rebuilt: %d projects, %d tasks, %d interns.",
        len(project_ids),
        tasks,
        len(interns),
    )
    return RebuildResult(projects=len(project_ids), tasks=tasks, interns=len(interns))
