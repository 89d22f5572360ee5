"""Tasks and everything that happens to them: ranks, moves, comments, checklists, reviews.

Ordering inside a column is stored as a sparse signed integer ``rank``: a move
picks a rank past the first or last card or between its new neighbours, so it
writes one row; only when two neighbours have no gap left is a small window of
cards around the spot re-spaced, under the column lock (see ``tasks.ordering``).
A unique (column, rank) constraint makes collisions impossible whatever the
concurrency; archived tasks have no rank at all.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tasks.querysets import TaskQuerySet


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class LabelColor(models.TextChoices):
    """A fixed palette: colours are CSS classes, since the CSP forbids inline styles."""

    SLATE = "slate", _("Grey")
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    TEAL = "teal", _("Teal")
    BLUE = "blue", _("Blue")
    VIOLET = "violet", _("Violet")
    PINK = "pink", _("Pink")


class Label(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="labels",
        verbose_name=_("project"),
    )
    name = models.CharField(_("name"), max_length=40)
    color = models.CharField(
        _("colour"), max_length=16, choices=LabelColor.choices, default=LabelColor.SLATE
    )

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "project",
                models.functions.Lower("name"),
                name="tasks_label_name_unique_in_project",
                violation_error_message=_("This project already has a label with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("project"),
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    # PROTECT: a column that holds tasks cannot be deleted (projects.services).
    column = models.ForeignKey(
        "projects.Column", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("column")
    )
    rank = models.BigIntegerField(_("rank"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignee"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reported_tasks",
        verbose_name=_("reporter"),
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="tasks", verbose_name=_("labels")
    )
    estimate = models.PositiveSmallIntegerField(
        _("estimate"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Story points."),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    archived = models.BooleanField(_("archived"), default=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="tasks_task_number_unique_in_project"
            ),
            models.UniqueConstraint(
                fields=["column", "rank"], name="tasks_task_rank_unique_in_column"
            ),
            # An archived task leaves the board order; a live one always has a place in it.
            models.CheckConstraint(
                condition=models.Q(archived=True, rank__isnull=True)
                | models.Q(archived=False, rank__isnull=False),
                name="tasks_task_rank_iff_live",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="tasks_task_priority_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["column", "archived", "rank"]),
            models.Index(fields=["assignee", "archived"]),
            models.Index(fields=["project", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"{self.project.key}-{self.number}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Past its due date and not completed (archived tasks are never overdue)."""
        if self.due_on is None or self.completed_at is not None or self.archived:
            return False
        return self.due_on < (today or timezone.localdate())


class ChecklistItem(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("task")
    )
    text = models.CharField(_("text"), max_length=200)
    done = models.BooleanField(_("done"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["task", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Comment(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("task")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="task_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=10000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["task", "created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")


class Review(models.Model):
    """A mentor's decision on a task in a ``review`` column."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("task")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reviews_given",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices)
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=10000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["task", "created_at", "pk"]
        constraints = [
            # Approvals carry a 1–5 score; requests for changes carry none.
            models.CheckConstraint(
                condition=models.Q(decision=ReviewDecision.APPROVE, score__gte=1, score__lte=5)
                | models.Q(decision=ReviewDecision.REQUEST_CHANGES, score__isnull=True),
                name="tasks_review_score_matches_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.task_id}"


class ActivityKind(models.TextChoices):
    # A context of their own: "archived" here is an event, not a state.
    CREATED = "created", pgettext_lazy("activity", "created")
    MOVED = "moved", pgettext_lazy("activity", "moved")
    ASSIGNED = "assigned", pgettext_lazy("activity", "assigned")
    EDITED = "edited", pgettext_lazy("activity", "edited")
    COMMENTED = "commented", pgettext_lazy("activity", "commented")
    REVIEWED = "reviewed", pgettext_lazy("activity", "reviewed")
    ARCHIVED = "archived", pgettext_lazy("activity", "archived")
    RESTORED = "restored", pgettext_lazy("activity", "restored")
    CHECKLIST = "checklist", pgettext_lazy("activity", "checklist changed")
    LABELS = "labels", pgettext_lazy("activity", "labels changed")
    ATTACHED = "attached", pgettext_lazy("activity", "attached a file")
    DETACHED = "detached", pgettext_lazy("activity", "removed an attachment")


class Activity(models.Model):
    """One change of a task, with who and when; analytics read moves from here."""

    # Indexed by Meta.indexes' (task, created_at, id), which serves the foreign key too.
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("task"),
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="task_activities",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    from_column = models.ForeignKey(
        "projects.Column",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from column"),
    )
    to_column = models.ForeignKey(
        "projects.Column",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to column"),
    )
    # Category names are kept too: columns can be renamed or deleted later,
    # and analytics must still know a move entered "done".
    from_category = models.CharField(_("from category"), max_length=16, blank=True)
    to_category = models.CharField(_("to category"), max_length=16, blank=True)
    # Column names as they were when the move happened: history must not
    # rewrite old moves when a column is renamed or deleted later.
    from_column_name = models.CharField(_("from column name"), max_length=60, blank=True)
    to_column_name = models.CharField(_("to column name"), max_length=60, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["task", "created_at", "pk"]
        indexes = [
            models.Index(fields=["kind", "created_at"]),
            # A task's history in either direction: the dialog reads its latest 50
            # lines without sorting all of a busy task's (thousands after a year).
            models.Index(fields=["task", "created_at", "id"], name="tasks_activity_task_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.task_id}"

    @property
    def is_move(self) -> bool:
        return self.kind == ActivityKind.MOVED


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A random storage name: the uploader's file name never reaches a path."""
    return f"attachments/{instance.task_id}/{uuid.uuid4().hex}"


def attachment_thumbnail_upload_to(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.task_id}/thumbnails/{uuid.uuid4().hex}.png"


class Attachment(models.Model):
    """A file on a task; ``original_name`` is for display only (see tasks.attachments)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("task")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=attachment_thumbnail_upload_to, max_length=255, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="task_attachments",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["task", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="tasks_attachment_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class ImportSource(models.TextChoices):
    TRELLO = "trello", "Trello"


class ImportedObject(models.Model):
    """Which row an object of another tracker became, so a re-import updates it.

    ``kind`` names the foreign object (``card``, ``list``, ``comment``…) and
    with it the model ``object_id`` points to (see ``tasks.trello``).
    """

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="imported_objects",
        verbose_name=_("project"),
    )
    source = models.CharField(_("source"), max_length=16, choices=ImportSource.choices)
    kind = models.CharField(_("kind"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=255)
    object_id = models.PositiveBigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("imported object")
        verbose_name_plural = _("imported objects")
        ordering = ["project", "source", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source", "kind", "external_id"],
                name="tasks_importedobject_unique_per_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}"
