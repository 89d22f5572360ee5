"""Who may see and do what with teams; the one place these rules live.

Predicates (``can_*``) answer for an object already fetched through a
``get_*_for_user`` fetcher, which combines the user's scope and the id in one
query so that another team's object answers 404, never 403.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.permissions import is_coordinator
from teams.models import Membership, Role, Team
from teams.querysets import TODAY_SAMPLES, membership_today
from teams.selectors import viewer_role_subquery

if TYPE_CHECKING:
    from accounts.models import User

_UNSET = object()


def role_in_team(user: User, team_id: int) -> str | None:
    """The user's active role in the team (a ``Role`` value) or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.active()
        .of_user(user)
        .filter(team_id=team_id)
        .values_list("role", flat=True)
        .first()
    )


def visible_with_role(
    queryset: models.QuerySet,
    user: User,
    team_ref: str,
    *,
    today: datetime.date | None = None,
) -> models.QuerySet:
    """``queryset`` narrowed to the rows ``user`` may see, each with ``viewer_role``.

    The rule of ``Team.objects.visible_to`` (nobody for an inactive user, every
    team for staff, else the teams of the user's active memberships), asked
    through the ``viewer_role`` subquery itself: a member's role is set exactly
    when the membership is active. One subquery instead of nested ``IN``
    subqueries, which the per-request fetchers paid for in SQL compilation.
    ``team_ref``: the path to the team id (``"team_id"``, ``"project__team_id"``);
    ``today``: the day memberships are counted on (default ``membership_today()``).
    """
    queryset = queryset.annotate(viewer_role=viewer_role_subquery(user, team_ref, today=today))
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(viewer_role__isnull=False)


# What a query built with ``visible_with_role`` binds of its user, as compiled once for all
# users (config.compiled_queries): two samples of each, to find where they go.
VIEWER_SAMPLES = {
    "user_id": (-31, -32),
    "today": TODAY_SAMPLES,
}


def viewer_stand_in(*, user_id: int, staff: bool, active: bool) -> User:
    """A user as ``visible_with_role`` reads one (its id, staff and active flags): what a
    compiled query's build function passes it, for a shape that serves every user."""
    from accounts.models import User  # accounts' models import this app's

    return User(pk=user_id, is_staff=staff, is_active=active)


def viewer_shape_and_values(user: User) -> tuple[dict[str, bool], dict[str, Any]]:
    """``user`` for a compiled query built with ``viewer_stand_in``: what changes its SQL
    (``staff``, ``active``: the branches of ``visible_with_role``) and what is bound in
    it (``VIEWER_SAMPLES``' names: the id, and the day memberships are counted on)."""
    active = bool(user.is_authenticated and user.is_active)
    shape = {"staff": bool(user.is_staff), "active": active}
    return shape, {"user_id": user.pk or 0, "today": membership_today()}


def is_mentor_somewhere(user: User) -> bool:
    """Whether the user mentors at least one team today."""
    return Membership.objects.active().of_user(user).mentors().exists()


def viewer_role(user: User, obj, team_id: int) -> str | None:
    """The role annotated on ``obj`` by a fetcher, else looked up once and cached on it."""
    role = getattr(obj, "viewer_role", _UNSET)
    if role is _UNSET:
        role = role_in_team(user, team_id)
        obj.viewer_role = role
    return role


def is_viewer_mentor(user: User, obj, team_id: int) -> bool:
    """Whether the user mentors the team of ``obj`` (its ``viewer_role``, else looked up)."""
    return viewer_role(user, obj, team_id) == Role.MENTOR


def get_team_for_user(user: User, pk: int) -> Team:
    """The team with ``pk`` if the user may see it; Http404 otherwise."""
    team = (
        Team.objects.visible_to(user)
        .with_viewer_role(user)
        .select_related("cohort")
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise Http404(_("No such team."))
    return team


def get_team_for_management(user: User, pk: int) -> Team:
    """The team if ``user`` may set up its projects; Http404 outside it, PermissionDenied
    inside it without the right (interns)."""
    team = get_team_for_user(user, pk)
    if not can_manage_team(user, team):
        raise PermissionDenied(_("Only the team's mentors can create projects."))
    return team


def can_view_team(user: User, team: Team) -> bool:
    return is_coordinator(user) or (user.is_active and viewer_role(user, team, team.pk) is not None)


def can_manage_team(user: User, team: Team) -> bool:
    """Mentors of the team and staff set up its projects."""
    return is_coordinator(user) or (user.is_active and is_viewer_mentor(user, team, team.pk))
