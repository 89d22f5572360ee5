"""Query vocabulary for cohorts, teams and memberships."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User


def membership_today() -> datetime.date:
    """Today's date as memberships count it: in the server's ``TIME_ZONE``.

    Never ``timezone.localdate()``: that follows the requesting user's
    profile time zone (activated per request), and access must not depend on
    anything the user controls. A removed intern who picked UTC−11 would
    otherwise stay "before" their last day for up to 14 more hours.
    """
    return timezone.localdate(timezone=timezone.get_default_timezone())


# Two days for a compiled query (config.compiled_queries) to find where ``today`` goes.
TODAY_SAMPLES = (datetime.date(1901, 2, 3), datetime.date(1902, 3, 4))


def active_membership_q(prefix: str = "", *, today: datetime.date | None = None) -> models.Q:
    """Memberships in force today: joined on or before today, and not left by today.

    A membership with a future ``joined_on`` grants nothing until that day; one
    whose ``left_on`` is today or earlier grants nothing any more (so ending
    a membership on its ``joined_on`` means it never grants access).
    ``prefix`` lets other querysets reach memberships through a relation
    (``"memberships__"`` from Team, ``"team__memberships__"`` from Project);
    the conditions are one Q, so they apply to the same membership row.
    """
    today = today or membership_today()
    return models.Q(**{f"{prefix}joined_on__lte": today}) & (
        models.Q(**{f"{prefix}left_on__isnull": True}) | models.Q(**{f"{prefix}left_on__gt": today})
    )


class MembershipQuerySet(models.QuerySet):
    def active(self, *, today: datetime.date | None = None) -> MembershipQuerySet:
        return self.filter(active_membership_q(today=today))

    def of_user(self, user: User) -> MembershipQuerySet:
        return self.filter(user=user)

    def mentors(self) -> MembershipQuerySet:
        from teams.models import Role  # the models module imports this one

        return self.filter(role=Role.MENTOR)

    def interns(self) -> MembershipQuerySet:
        from teams.models import Role

        return self.filter(role=Role.INTERN)


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

    return Membership.objects.active().of_user(user).values("team_id")
