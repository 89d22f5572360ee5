"""Reads of the analytics read models, shared by the API and the pages.

Pages and the API call ``team_analytics`` and ``intern_analytics``; both
return plain dataclasses (numbers, dates, ids), so the HTML, CSV and JSON
views show the same numbers. Every query is an aggregate or a bounded read:
the number of queries does not grow with interns, tasks or weeks
(tests/analytics/test_api.py pins it).

A period is two local dates, both included. An intern's numbers cover every
task assigned to them (all their teams), so the team page and the intern
page agree. WIP, overdue and the at-risk signals are read live from the
tasks (they are about now); everything else comes from the read models.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from analytics.models import InternWeek, ProjectDay, TaskMetrics
from analytics.querysets import completion_totals
from analytics.services import local_day, median_by, today, week_of
from config.errors import DomainError
from projects.models import ColumnCategory, Project
from tasks.models import Activity, Review, Task
from teams.models import Membership, Team

DEFAULT_PERIOD_DAYS = 28
# Weeks before last week that make an intern's "own average" throughput.
AVERAGE_WEEKS = 4
# Upper bounds (days) of the cycle-time distribution's buckets; the last is open.
CYCLE_BUCKETS = (1, 2, 4, 7, 14)
OPEN_CATEGORIES = (ColumnCategory.TODO, ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW)
WIP_CATEGORIES = (ColumnCategory.IN_PROGRESS, ColumnCategory.REVIEW)
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


# --- Periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def weeks(self) -> list[datetime.date]:
        """The Mondays of the ISO weeks the period touches."""
        first, last = week_of(self.start), week_of(self.end)
        return [first + WEEK * n for n in range((last - first).days // 7 + 1)]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period(start: datetime.date | None = None, end: datetime.date | None = None) -> Period:
    """A checked period; by default the last four weeks up to today.

    DomainError (field ``from`` or ``to``) when ``start`` is after ``end`` or
    the period is longer than ANALYTICS_MAX_RANGE_DAYS.
    """
    end = end or today()
    start = start or end - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise DomainError(_("The start date must not be after the end date."), field="from")
    longest = settings.ANALYTICS_MAX_RANGE_DAYS
    if (end - start).days + 1 > longest:
        raise DomainError(
            _("Choose a period of at most %(days)d days.") % {"days": longest}, field="to"
        )
    return Period(start=start, end=end)


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPoint:
    week: datetime.date
    completed: int = 0
    points: int = 0
    median_cycle_seconds: int | None = None
    median_lead_seconds: int | None = None
    on_time_rate: float | None = None
    first_pass_rate: float | None = None
    mean_score: float | None = None
    reviews_received: int = 0
    changes_requested: int = 0


@dataclass(frozen=True)
class RiskFlag:
    code: str  # idle | overdue | throughput_drop | review_wait
    message: str


@dataclass
class InternMetrics:
    intern: User
    completed: int = 0
    points: int = 0
    median_cycle_seconds: float | None = None
    mean_cycle_seconds: float | None = None
    median_lead_seconds: float | None = None
    with_due: int = 0
    on_time: int = 0
    reviewed: int = 0
    first_pass: int = 0
    approvals: int = 0
    score_sum: int = 0
    reviews_received: int = 0
    changes_requested: int = 0
    overdue: int = 0
    wip: int = 0
    weekly: list[WeekPoint] = field(default_factory=list)
    at_risk: list[RiskFlag] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.with_due if self.with_due else None

    @property
    def first_pass_rate(self) -> float | None:
        return self.first_pass / self.reviewed if self.reviewed else None

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.approvals if self.approvals else None


@dataclass(frozen=True)
class FlowDay:
    day: datetime.date
    todo: int
    in_progress: int
    review: int
    done: int

    @property
    def total(self) -> int:
        return self.todo + self.in_progress + self.review + self.done


@dataclass(frozen=True)
class ProjectFlow:
    project: Project
    days: list[FlowDay]


@dataclass(frozen=True)
class CycleBucket:
    min_days: int
    max_days: int | None  # None: open-ended
    count: int


@dataclass
class TeamAnalytics:
    team: Team
    period: Period
    interns: list[InternMetrics]
    projects: list[ProjectFlow]
    cycle_distribution: list[CycleBucket]
    computed_at: datetime.datetime | None


@dataclass
class InternAnalytics:
    intern: User
    period: Period
    metrics: InternMetrics
    trend: list[WeekPoint]
    reviews: list[Review]
    computed_at: datetime.datetime | None


# --- Building blocks ------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _week_point(row: InternWeek) -> WeekPoint:
    return WeekPoint(
        week=row.week,
        completed=row.completed,
        points=row.points,
        median_cycle_seconds=row.median_cycle_seconds,
        median_lead_seconds=row.median_lead_seconds,
        on_time_rate=_rate(row.on_time, row.with_due),
        first_pass_rate=_rate(row.first_pass, row.reviewed),
        mean_score=row.score_sum / row.approvals if row.approvals else None,
        reviews_received=row.reviews_received,
        changes_requested=row.changes_requested,
    )


def _series(rows: dict[datetime.date, InternWeek], weeks: list[datetime.date]) -> list[WeekPoint]:
    return [_week_point(rows[week]) if week in rows else WeekPoint(week=week) for week in weeks]


def _period_metrics(interns: list[User], span: Period) -> dict[int, InternMetrics]:
    """Completion-based metrics of the period per intern: two queries."""
    ids = [intern.pk for intern in interns]
    result = {intern.pk: InternMetrics(intern=intern) for intern in interns}
    done = TaskMetrics.objects.filter(
        assignee_id__in=ids, completed_on__gte=span.start, completed_on__lte=span.end
    )
    for row in done.order_by().values("assignee_id").annotate(**completion_totals()):
        metrics = result[row["assignee_id"]]
        metrics.completed = row["completed"]
        metrics.points = row["points"]
        metrics.mean_cycle_seconds = row["mean_cycle"]
        metrics.with_due = row["with_due"]
        metrics.on_time = row["on_time_count"]
        metrics.reviewed = row["reviewed"]
        metrics.first_pass = row["first_pass_count"]
        metrics.approvals = row["approvals_sum"]
        metrics.score_sum = row["score_total"]
    for name, value in (
        ("median_cycle_seconds", "cycle_seconds"),
        ("median_lead_seconds", "lead_seconds"),
    ):
        for (intern_id,), median in median_by(done, groups=["assignee_id"], value=value).items():
            setattr(result[intern_id], name, median)
    return result


def _live_counts(metrics: dict[int, InternMetrics], now_day: datetime.date) -> None:
    """WIP and overdue, from the tasks as they are now: one query."""
    open_tasks = Task.objects.filter(assignee_id__in=list(metrics), archived=False)
    for row in (
        open_tasks.order_by()
        .values("assignee_id")
        .annotate(
            wip=models.Count("pk", filter=models.Q(column__category__in=WIP_CATEGORIES)),
            overdue=models.Count(
                "pk",
                filter=models.Q(column__category__in=OPEN_CATEGORIES, due_on__lt=now_day),
            ),
        )
    ):
        metrics[row["assignee_id"]].wip = row["wip"]
        metrics[row["assignee_id"]].overdue = row["overdue"]


def _working_days_between(first: datetime.date, last: datetime.date) -> int:
    """Monday–Friday days strictly after ``first`` and strictly before ``last``."""
    count = 0
    day = first + DAY
    while day < last:
        count += day.weekday() < 5
        day += DAY
    return count


def _risks(
    metrics: dict[int, InternMetrics],
    weeks: dict[int, dict[datetime.date, InternWeek]],
    joined: dict[int, datetime.date],
    now_day: datetime.date,
) -> None:
    """At-risk flags with their reasons: two queries (last activity, review waits)."""
    ids = list(metrics)
    idle_limit = settings.ANALYTICS_IDLE_WORKING_DAYS
    wait_limit = settings.ANALYTICS_REVIEW_WAIT_DAYS
    drop = settings.ANALYTICS_THROUGHPUT_DROP
    last_active = dict(
        Activity.objects.filter(actor_id__in=ids)
        .order_by()
        .values("actor_id")
        .annotate(last=models.Max("created_at"))
        .values_list("actor_id", "last")
    )
    waits: dict[int, list[datetime.datetime]] = defaultdict(list)
    for assignee_id, entered in (
        Task.objects.filter(
            assignee_id__in=ids, archived=False, column__category=ColumnCategory.REVIEW
        )
        .order_by()
        .annotate(
            entered=models.Max(
                "activities__created_at",
                filter=models.Q(activities__to_category=ColumnCategory.REVIEW),
            )
        )
        .values_list("assignee_id", "entered")
    ):
        if entered is not None:
            waits[assignee_id].append(entered)
    last_week = week_of(now_day) - WEEK
    for intern_id, row in metrics.items():
        flags = []
        since = last_active.get(intern_id)
        since_day = local_day(since) if since else joined.get(intern_id)
        if since_day is not None:
            idle = _working_days_between(since_day, now_day)
            if idle >= idle_limit:
                flags.append(
                    RiskFlag(
                        "idle",
                        ngettext(
                            "No board activity for %(days)d working day.",
                            "No board activity for %(days)d working days.",
                            idle,
                        )
                        % {"days": idle},
                    )
                )
        if row.overdue:
            flags.append(
                RiskFlag(
                    "overdue",
                    ngettext("%(count)d overdue task.", "%(count)d overdue tasks.", row.overdue)
                    % {"count": row.overdue},
                )
            )
        history = weeks.get(intern_id, {})
        before = [last_week - WEEK * n for n in range(1, AVERAGE_WEEKS + 1)]
        start = joined.get(intern_id)
        before = [week for week in before if start is None or week >= week_of(start)]
        if before:
            average = sum(history[w].completed if w in history else 0 for w in before) / len(before)
            done = history[last_week].completed if last_week in history else 0
            if average >= 1 and done < drop * average:
                flags.append(
                    RiskFlag(
                        "throughput_drop",
                        _("Completed %(done)d last week against %(average).1f a week before.")
                        % {"done": done, "average": average},
                    )
                )
        longest = max(
            ((now_day - local_day(entered)).days for entered in waits.get(intern_id, [])),
            default=0,
        )
        if longest > wait_limit:
            flags.append(
                RiskFlag(
                    "review_wait",
                    ngettext(
                        "A task has waited in review for %(days)d day.",
                        "A task has waited in review for %(days)d days.",
                        longest,
                    )
                    % {"days": longest},
                )
            )
        row.at_risk = flags


def _intern_weeks(
    ids: list[int], first: datetime.date, last: datetime.date
) -> dict[int, dict[datetime.date, InternWeek]]:
    rows: dict[int, dict[datetime.date, InternWeek]] = defaultdict(dict)
    for row in InternWeek.objects.filter(intern_id__in=ids, week__gte=first, week__lte=last):
        rows[row.intern_id][row.week] = row
    return rows


def _metrics_for(
    interns: list[User],
    span: Period,
    joined: dict[int, datetime.date],
    weeks: dict[int, dict[datetime.date, InternWeek]] | None = None,
) -> tuple[dict[int, InternMetrics], datetime.datetime | None]:
    """``weeks``: the interns' InternWeek rows when the caller has read them already."""
    now_day = today()
    metrics = _period_metrics(interns, span)
    ids = list(metrics)
    if weeks is None:
        history_from = min(week_of(span.start), week_of(now_day) - WEEK * (AVERAGE_WEEKS + 1))
        weeks = _intern_weeks(ids, history_from, max(week_of(span.end), week_of(now_day)))
    computed = [row.computed_at for rows in weeks.values() for row in rows.values()]
    for intern_id, row in metrics.items():
        in_period = {w: r for w, r in weeks.get(intern_id, {}).items() if w in span.weeks}
        row.weekly = _series(in_period, span.weeks)
        row.reviews_received = sum(r.reviews_received for r in in_period.values())
        row.changes_requested = sum(r.changes_requested for r in in_period.values())
    _live_counts(metrics, now_day)
    _risks(metrics, weeks, joined, now_day)
    return metrics, max(computed, default=None)


# --- Team -----------------------------------------------------------------------------------


def team_interns(team: Team, span: Period) -> list[Membership]:
    """The team's intern memberships that overlap the period, with their users."""
    return list(
        Membership.objects.interns()
        .filter(team=team, joined_on__lte=span.end)
        .filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=span.start))
        .select_related("user")
        .order_by("user__full_name", "user__username")
    )


def _cycle_distribution(intern_ids: list[int], span: Period) -> list[CycleBucket]:
    day = 24 * 3600
    bounds = [0, *CYCLE_BUCKETS]
    whens = {
        f"b{index}": models.Count(
            "pk",
            filter=models.Q(cycle_seconds__gte=low * day)
            & (models.Q(cycle_seconds__lt=high * day) if high is not None else models.Q()),
        )
        for index, (low, high) in enumerate(zip(bounds, [*CYCLE_BUCKETS, None], strict=True))
    }
    counts = TaskMetrics.objects.filter(
        assignee_id__in=intern_ids,
        completed_on__gte=span.start,
        completed_on__lte=span.end,
        cycle_seconds__isnull=False,
    ).aggregate(**whens)
    return [
        CycleBucket(min_days=low, max_days=high, count=counts[f"b{index}"])
        for index, (low, high) in enumerate(zip(bounds, [*CYCLE_BUCKETS, None], strict=True))
    ]


def project_flows(projects: list[Project], span: Period) -> list[ProjectFlow]:
    """Cumulative flow and burn-up per project over the period: one query."""
    days: dict[int, list[FlowDay]] = defaultdict(list)
    for row in ProjectDay.objects.filter(
        project__in=projects, day__gte=span.start, day__lte=span.end
    ).order_by("project_id", "day"):
        days[row.project_id].append(
            FlowDay(row.day, row.todo, row.in_progress, row.review, row.done)
        )
    return [ProjectFlow(project=project, days=days.get(project.pk, [])) for project in projects]


def team_analytics(team: Team, span: Period) -> TeamAnalytics:
    """One row per intern of the team over ``span``, the projects' flow, the cycle times."""
    memberships = team_interns(team, span)
    interns = list({m.user_id: m.user for m in memberships}.values())
    joined: dict[int, datetime.date] = {}
    for membership in memberships:
        joined[membership.user_id] = min(
            joined.get(membership.user_id, membership.joined_on), membership.joined_on
        )
    metrics, computed_at = _metrics_for(interns, span, joined)
    projects = list(Project.objects.filter(team=team).order_by("archived", "name"))
    return TeamAnalytics(
        team=team,
        period=span,
        interns=[metrics[intern.pk] for intern in interns],
        projects=project_flows(projects, span),
        cycle_distribution=_cycle_distribution(list(metrics), span),
        computed_at=computed_at,
    )


# --- Intern ---------------------------------------------------------------------------------


def intern_reviews(intern: User, span: Period) -> list[Review]:
    """Reviews of the intern's tasks made in the period, newest first, with task and reviewer."""
    from analytics.services import day_start

    return list(
        Review.objects.filter(
            task__assignee=intern,
            task__archived=False,
            created_at__gte=day_start(span.start),
            created_at__lt=day_start(span.end + DAY),
        )
        .select_related("task__project", "reviewer")
        .order_by("-created_at", "-pk")
    )


def intern_analytics(intern: User, span: Period) -> InternAnalytics:
    """The intern's metrics over ``span``, their weekly trend over the whole internship,
    and the reviews they received in the period."""
    joined_on = (
        Membership.objects.interns()
        .filter(user=intern)
        .aggregate(first=models.Min("joined_on"))["first"]
    )
    joined = {intern.pk: joined_on} if joined_on else {}
    all_weeks = {row.week: row for row in InternWeek.objects.filter(intern=intern)}
    metrics, computed_at = _metrics_for([intern], span, joined, {intern.pk: all_weeks})
    first = min([*all_weeks, *([week_of(joined_on)] if joined_on else [])], default=None)
    last = week_of(max(span.end, today()))
    trend_weeks = [first + WEEK * n for n in range((last - first).days // 7 + 1)] if first else []
    return InternAnalytics(
        intern=intern,
        period=span,
        metrics=metrics[intern.pk],
        trend=_series(all_weeks, trend_weeks),
        reviews=intern_reviews(intern, span),
        computed_at=computed_at,
    )


# --- Mentor home ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AtRiskIntern:
    team: Team
    metrics: InternMetrics


def at_risk_interns(user: User) -> list[AtRiskIntern]:
    """The at-risk interns of the teams ``user`` mentors today, with their reasons.

    All teams at once over the default period: a fixed number of queries
    whatever the number of teams or interns (the mentor's dashboard).
    """
    mentored = Membership.objects.active().of_user(user).mentors().values("team_id")
    memberships = list(
        Membership.objects.active()
        .interns()
        .filter(team_id__in=mentored)
        .select_related("user", "team")
        .order_by("team__name", "user__full_name", "user__username")
    )
    if not memberships:
        return []
    interns = list({m.user_id: m.user for m in memberships}.values())
    joined: dict[int, datetime.date] = {}
    for membership in memberships:
        joined[membership.user_id] = min(
            joined.get(membership.user_id, membership.joined_on), membership.joined_on
        )
    metrics, _computed = _metrics_for(interns, period(), joined)
    return [
        AtRiskIntern(team=m.team, metrics=metrics[m.user_id])
        for m in memberships
        if metrics[m.user_id].at_risk
    ]
