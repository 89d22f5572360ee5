"""Query vocabulary for cohorts, teams and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User


def active_membership_q(prefix: str = "", *, today=None) -> models.Q:
    """Memberships in force today: not left, or leaving later than today.

    ``prefix`` lets other querysets reach memberships through a relation
    (``"memberships__"`` from Team, ``"team__memberships__"`` from Project).
    """
    today = today or timezone.localdate()
    return models.Q(**{f"{prefix}left_on__isnull": True}) | models.Q(
        **{f"{prefix}left_on__gt": today}
    )


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(active_membership_q())

    def of_user(self, user: User) -> MembershipQuerySet:
        return self.filter(user=user)

    def mentors(self) -> MembershipQuerySet:
        return self.filter(role="mentor")

    def interns(self) -> MembershipQuerySet:
        return self.filter(role="intern")


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TeamQuerySet:
        """Teams the user may see: staff see all, others their active teams."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(
            pk__in=_active_team_ids(user),
        )

    def with_viewer_role(self, user: User) -> TeamQuerySet:
        """Annotate ``viewer_role``: the user's active role in each team, or None."""
        from teams.selectors import viewer_role_subquery

        return self.annotate(viewer_role=viewer_role_subquery(user, "pk"))


def _active_team_ids(user: User) -> models.QuerySet:
    from teams.models import Membership

    return Membership.objects.active().filter(user=user).values("team_id")
