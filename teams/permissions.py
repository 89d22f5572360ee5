"""Who may see and do what with teams; the one place these rules live.

Predicates (``can_*``) answer for an object already fetched through a
``get_*_for_user`` fetcher, which combines the user's scope and the id in one
query so that another team's object answers 404, never 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from teams.models import Membership, Role, Team

if TYPE_CHECKING:
    from accounts.models import User

_UNSET = object()


def role_in_team(user: User, team_id: int) -> str | None:
    """The user's active role in the team (``"intern"``/``"mentor"``) or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.active()
        .filter(user=user, team_id=team_id)
        .values_list("role", flat=True)
        .first()
    )


def viewer_role(user: User, obj, team_id: int) -> str | None:
    """The role annotated on ``obj`` by a fetcher, else looked up once and cached on it."""
    role = getattr(obj, "viewer_role", _UNSET)
    if role is _UNSET:
        role = role_in_team(user, team_id)
        obj.viewer_role = role
    return role


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


def can_view_team(user: User, team: Team) -> bool:
    return user.is_active and (user.is_staff or viewer_role(user, team, team.pk) is not None)


def can_manage_team(user: User, team: Team) -> bool:
    """Mentors of the team and staff set up its projects."""
    return user.is_active and (user.is_staff or viewer_role(user, team, team.pk) == Role.MENTOR)
