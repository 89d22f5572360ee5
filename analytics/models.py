"""Metric read models (DESIGN.md "Analytics (definitions)").

Written only by ``analytics.services`` (incrementally from the event log and
fully by the nightly rebuild); pages and the API read them through
``analytics.selectors``. Weeks and days are in the configured ``TIME_ZONE``.

- ``TaskMetrics``: one row per task: first start, last completion, cycle and
  lead time, reviews, first pass, score, on-time.
- ``InternWeek``: one row per intern × ISO week (its Monday) with anything
  to count: completions and reviews received that week.
- ``ProjectDay``: one row per project × day: tasks per column category at
  the end of the day (cumulative flow) and total vs done (burn-up).
- ``RecomputeKey``: what the incremental path still has to recompute; the
  unique key coalesces a burst of events into one recompute.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskMetrics(models.Model):
    task = models.OneToOneField(
        "tasks.Task",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="metrics",
        verbose_name=_("task"),
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    estimate = models.PositiveSmallIntegerField(_("estimate"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("first started at"), null=True, blank=True)
    # Set only while the task is done and not archived: the last entry into done.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_week = models.DateField(_("week completed"), null=True, blank=True)
    cycle_seconds = models.BigIntegerField(_("cycle time (s)"), null=True, blank=True)
    lead_seconds = models.BigIntegerField(_("lead time (s)"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    reviews = models.PositiveIntegerField(_("reviews"), default=0)
    first_pass = models.BooleanField(_("approved at first review"), null=True, blank=True)
    # Mentor score: every approving review of the task counts (a reopened
    # task approved twice has two); the mean is score_sum / approvals.
    approvals = models.PositiveIntegerField(_("approvals"), default=0)
    score_sum = models.PositiveIntegerField(_("sum of approval scores"), default=0)
    # The newest created/moved/archived/restored Activity already counted in
    # the project's days: the next recompute redoes the days from the first
    # newer one on (exact even for back-dated history), or none at all.
    flow_activity_id = models.BigIntegerField(_("last flow activity"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("task metrics")
        verbose_name_plural = _("task metrics")
        indexes = [
            models.Index(fields=["assignee", "completed_on"], name="analytics_task_done_by"),
            models.Index(fields=["project", "completed_on"], name="analytics_task_done_in"),
        ]

    def __str__(self) -> str:
        return str(self.task_id)


class InternWeek(models.Model):
    intern = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("intern"),
    )
    week = models.DateField(_("week (Monday)"))
    completed = models.PositiveIntegerField(_("completed"), default=0)
    points = models.PositiveIntegerField(_("points"), default=0)
    median_cycle_seconds = models.BigIntegerField(_("median cycle time (s)"), null=True)
    mean_cycle_seconds = models.BigIntegerField(_("mean cycle time (s)"), null=True)
    median_lead_seconds = models.BigIntegerField(_("median lead time (s)"), null=True)
    mean_lead_seconds = models.BigIntegerField(_("mean lead time (s)"), null=True)
    with_due = models.PositiveIntegerField(_("completed with a due date"), default=0)
    on_time = models.PositiveIntegerField(_("completed on time"), default=0)
    reviewed = models.PositiveIntegerField(_("completed after review"), default=0)
    first_pass = models.PositiveIntegerField(_("approved at first review"), default=0)
    reviews_received = models.PositiveIntegerField(_("reviews received"), default=0)
    changes_requested = models.PositiveIntegerField(_("changes requested"), default=0)
    approvals = models.PositiveIntegerField(_("approvals"), default=0)
    score_sum = models.PositiveIntegerField(_("sum of scores"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("intern week")
        verbose_name_plural = _("intern weeks")
        constraints = [
            models.UniqueConstraint(fields=["intern", "week"], name="analytics_intern_week_once")
        ]

    def __str__(self) -> str:
        return f"{self.intern_id} · {self.week}"


class ProjectDay(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    day = models.DateField(_("day"))
    todo = models.IntegerField(_("to do"), default=0)
    in_progress = models.IntegerField(_("in progress"), default=0)
    review = models.IntegerField(_("review"), default=0)
    done = models.IntegerField(_("done"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("project day")
        verbose_name_plural = _("project days")
        constraints = [
            models.UniqueConstraint(fields=["project", "day"], name="analytics_project_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.day}"

    @property
    def total(self) -> int:
        return self.todo + self.in_progress + self.review + self.done


class RecomputeKey(models.Model):
    """A task whose metrics (and the intern weeks and project days they feed) are stale.

    One row per task: fifty events of one task are one recompute.
    ``queued_at`` changes with every event, so a recompute removes the key
    only when no event came in while it ran.
    """

    task_id = models.BigIntegerField(_("task"), primary_key=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("pending recompute")
        verbose_name_plural = _("pending recomputes")

    def __str__(self) -> str:
        return str(self.task_id)
