"""Reads about cohorts, teams and memberships shared by pages, admin and later the API."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models

from config.compiled_queries import CompiledQuery
from teams.models import Cohort, Membership, Role, Team
from teams.querysets import TODAY_SAMPLES, membership_today

if TYPE_CHECKING:
    from accounts.models import User


def visible_team_ids(user: User) -> models.QuerySet:
    """A subquery of the ids of teams the user may see (for ``team_id__in=``)."""
    return Team.objects.visible_to(user).values("pk")


def viewer_role_subquery(
    user: User, team_ref: str, *, today: datetime.date | None = None
) -> models.Subquery:
    """The user's active role in the team named by ``team_ref`` (an OuterRef path), on
    ``today`` (default: ``membership_today()``)."""
    role = (
        Membership.objects.active(today=today).of_user(user).filter(team=models.OuterRef(team_ref))
    )
    # order_by(): one membership per user and team (a constraint), and the model's
    # default ordering would join team, cohort and user and sort for nothing.
    return models.Subquery(role.order_by().values("role")[:1])


def teams_for_dashboard(user: User) -> models.QuerySet[Team]:
    """The user's teams (all teams for staff) with their cohort and the user's role."""
    return (
        Team.objects.visible_to(user)
        .with_viewer_role(user)
        .select_related("cohort")
        .order_by("-cohort__starts_on", "name")
    )


def team_members(team: Team) -> models.QuerySet[Membership]:
    """Active members of a team, mentors first."""
    return _team_members(team_id=team.pk, today=membership_today())


def _team_members(*, team_id: int, today: datetime.date) -> models.QuerySet[Membership]:
    return (
        Membership.objects.active(today=today)
        .filter(team_id=team_id)
        .select_related("user")
        .order_by("-role", "user__full_name", "user__username")
    )


# Every board page and task dialog lists the members (filters, assignee choices): compiled
# once rather than built per request (config.compiled_queries; docs/performance.md).
_TEAM_MEMBERS = CompiledQuery(
    _team_members,
    samples={
        "team_id": (-1, -2),
        "today": TODAY_SAMPLES,
    },
)


def team_member_list(team: Team) -> list[Membership]:
    """``team_members`` read at once: the same rows, in one statement compiled once."""
    return _TEAM_MEMBERS.fetch(team_id=team.pk, today=membership_today())


def team_memberships(team: Team) -> models.QuerySet[Membership]:
    """Every membership of a team, active and past, mentors first."""
    return (
        Membership.objects.filter(team=team)
        .select_related("user")
        .order_by("-role", "user__username")
    )


def team_roster(team: Team) -> tuple[list[Membership], list[Membership]]:
    """The team's active mentors and interns (each with its user), read in one query."""
    members = team_member_list(team)
    mentors = [member for member in members if member.role == Role.MENTOR]
    interns = [member for member in members if member.role == Role.INTERN]
    return mentors, interns


def cohorts_for_user(user: User) -> models.QuerySet[Cohort]:
    """All cohorts for staff; for others the cohorts of their active teams."""
    cohorts = Cohort.objects.order_by("-starts_on", "name")
    if user.is_staff:
        return cohorts
    return cohorts.filter(teams__in=Team.objects.visible_to(user)).distinct()


def active_memberships_of(user: User) -> models.QuerySet[Membership]:
    return Membership.objects.active().of_user(user).select_related("team").order_by("team__name")
