"""Who may read which analytics (DESIGN.md "Permissions").

- an intern reads their own analytics, nobody else's;
- a team's mentors (and staff) read the team's analytics and each of its interns';
- anyone else gets 404 for a team or intern outside their reach, so its
  existence does not leak; an intern asking for their own team's page gets 403
  (they may know the team exists, just not read its analytics).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from teams.models import Membership
from teams.permissions import can_manage_team, get_team_for_user

if TYPE_CHECKING:
    from teams.models import Team


def get_team_for_analytics(user: User, pk: int) -> Team:
    """The team if ``user`` may read its analytics; Http404 outside it, 403 for its interns."""
    team = get_team_for_user(user, pk)
    if not can_manage_team(user, team):
        raise PermissionDenied(_("Only the team's mentors can see the team's analytics."))
    return team


def get_intern_for_analytics(user: User, pk: int) -> User:
    """The user whose analytics ``user`` asks for, in one query; Http404 when not allowed.

    Themselves; for staff, anyone; for a mentor, an intern of one of the
    teams they mentor today.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("No such intern."))
    users = User.objects.filter(pk=pk)
    if user.is_staff or user.pk == pk:
        found = users.first()
    else:
        mentored = Membership.objects.active().of_user(user).mentors().values("team_id")
        found = users.filter(
            pk__in=Membership.objects.active()
            .interns()
            .filter(team_id__in=mentored)
            .values("user_id")
        ).first()
    if found is None:
        raise Http404(_("No such intern."))
    return found
