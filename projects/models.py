from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.validators import check_date_order
from projects.querysets import ColumnQuerySet, ProjectQuerySet

project_key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$",
    _("Use 2–10 capital Latin letters or digits, starting with a letter (e.g. WEB)."),
)

_ENDS_BEFORE_START = _("A project cannot end before it starts.")


def normalize_project_key(value: str) -> str:
    """A key as stored: typed in any case with stray spaces, ``" web "`` is ``WEB``.

    The one normalisation of keys: forms, serializers, services and the task
    search (``WEB-12`` typed as ``web-12``) all go through it.
    """
    return value.strip().upper()


def clean_project_key(value: str) -> str:
    """``value`` normalised, then checked against the key format; ValidationError if it fails."""
    key = normalize_project_key(value)
    project_key_validator(key)
    return key


class Project(models.Model):
    """A team's project; its tasks read ``KEY-N``."""

    team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, related_name="projects", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(
        _("key"),
        max_length=10,
        validators=[project_key_validator],
        help_text=_("Short prefix of task keys, e.g. WEB for WEB-12."),
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    review_required = models.BooleanField(
        _("review required"),
        default=True,
        help_text=_("Interns cannot move tasks to Done; a mentor approves them from Review."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["archived", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "key"],
                name="projects_project_key_unique_in_team",
                violation_error_message=_("This team already has a project with this key."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="projects_project_ends_after_start",
                violation_error_message=_ENDS_BEFORE_START,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.name}"

    def clean(self) -> None:
        """The date rule of the check constraint, reported on ``ends_on`` before any write.

        Forms run it through ``full_clean``; ``projects.services`` run it on
        every create and update, so the API gets the same answer.
        """
        check_date_order(self.starts_on, self.ends_on, field="ends_on", message=_ENDS_BEFORE_START)


class ColumnCategory(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    REVIEW = "review", _("Review")
    DONE = "done", _("Done")


class Column(models.Model):
    """A board column. ``position`` orders columns left to right, 0-based, no gaps."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="columns", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveIntegerField(_("position"))
    category = models.CharField(
        _("category"), max_length=16, choices=ColumnCategory.choices, default=ColumnCategory.TODO
    )
    wip_limit = models.PositiveIntegerField(
        _("WIP limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Most tasks the column may hold at once; empty for no limit."),
    )

    objects = ColumnQuerySet.as_manager()

    class Meta:
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="projects_column_position_unique"
            ),
            models.UniqueConstraint(
                "project",
                models.functions.Lower("name"),
                name="projects_column_name_unique_in_project",
                violation_error_message=_("This project already has a column with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(wip_limit__isnull=True) | models.Q(wip_limit__gte=1),
                name="projects_column_wip_limit_positive",
                violation_error_message=_("A WIP limit must be at least 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=ColumnCategory.values),
                name="projects_column_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
