from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from config.validators import check_date_order
from teams.querysets import MembershipQuerySet, TeamQuerySet, membership_today

_COHORT_ENDS_BEFORE_START = _("A cohort cannot end before it starts.")
_LEAVES_BEFORE_JOINING = _("A member cannot leave before joining.")


class Cohort(models.Model):
    """An internship intake, e.g. "Summer 2026"."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="teams_cohort_ends_after_start",
                violation_error_message=_COHORT_ENDS_BEFORE_START,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_date_order(
            self.starts_on, self.ends_on, field="ends_on", message=_COHORT_ENDS_BEFORE_START
        )


class Team(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="teams", verbose_name=_("cohort")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["cohort__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "cohort",
                Lower("name"),
                name="teams_team_name_unique_in_cohort",
                violation_error_message=_("This cohort already has a team with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INTERN = "intern", _("Intern")
    MENTOR = "mentor", _("Mentor")


class Membership(models.Model):
    """A user's place in a team. One row per user and team; leaving sets ``left_on``.

    A membership is active from ``joined_on`` (inclusive) until ``left_on``
    (exclusive), counted in the server's time zone (``membership_today``), so
    removing someone (left_on = today) cuts their access on the next request
    whatever time zone they chose, and a future ``joined_on`` grants nothing
    until that day.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.INTERN)
    joined_on = models.DateField(_("joined on"), default=membership_today)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["team", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"],
                name="teams_membership_one_per_user_and_team",
                violation_error_message=_("This user is already a member of this team."),
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="teams_membership_left_after_joined",
                violation_error_message=_LEAVES_BEFORE_JOINING,
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="teams_membership_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "left_on"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"

    def clean(self) -> None:
        check_date_order(
            self.joined_on, self.left_on, field="left_on", message=_LEAVES_BEFORE_JOINING
        )

    def is_active(self, today: datetime.date | None = None) -> bool:
        """The same rule as ``active_membership_q``, for a row already loaded."""
        today = today or membership_today()
        return self.joined_on <= today and (self.left_on is None or self.left_on > today)
