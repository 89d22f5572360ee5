"""Use-cases that change cohorts, teams and memberships.

The participant CSV import lives in ``teams.imports``.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from config.validators import clean_or_refuse
from teams.models import Membership, Team
from teams.querysets import membership_today

if TYPE_CHECKING:
    from accounts.models import User


# --- Memberships (API sync from an HR system) ------------------------------------


@transaction.atomic
def membership_add(
    *, team: Team, user: User, role: str, joined_on: datetime.date | None = None
) -> Membership:
    """Make ``user`` a member of ``team`` with ``role`` from ``joined_on`` (default today).

    A future ``joined_on`` grants access from that day on, not before. One
    row per user and team: someone who left and comes back gets their old row
    reopened (left_on cleared) from the new ``joined_on``; keeping an older
    join date there would hand a returning member access before their return.
    """
    if not user.is_active:
        raise DomainError(_("An inactive user cannot join a team."), code="inactive", field="user")
    joined_on = joined_on or membership_today()
    membership = Membership.objects.select_for_update().of_user(user).filter(team=team).first()
    if membership is None:
        return Membership.objects.create(team=team, user=user, role=role, joined_on=joined_on)
    if membership.is_active():
        raise DomainError(
            _("This user is already a member of this team."), code="already_member", field="user"
        )
    membership.role = role
    membership.left_on = None
    membership.joined_on = joined_on
    membership.save(update_fields=["role", "left_on", "joined_on"])
    return membership


def membership_update(
    *, membership: Membership, role: str | None = None, left_on: datetime.date | None = None
) -> Membership:
    """Change a member's role, or set the day they leave (access ends on that day).

    ``left_on`` may be any day from ``joined_on`` on; ``left_on == joined_on``
    is a membership that never grants access. To remove someone now,
    whatever their dates, use ``membership_end``.
    """
    if left_on is not None:
        clean_or_refuse(Membership(joined_on=membership.joined_on, left_on=left_on))
    if role is not None:
        membership.role = role
    if left_on is not None:
        membership.left_on = left_on
    membership.save(update_fields=["role", "left_on"])
    return membership


def membership_end(*, membership: Membership) -> Membership:
    """Remove a member today: their access to the team ends with the next request.

    Always possible. A membership that has not started yet (``joined_on`` in
    the future) ends on its first day (``left_on = joined_on``), which the
    database allows and which never counts as active. A membership already
    ending earlier keeps its date. One conditional UPDATE, so two concurrent
    removals agree and neither moves an earlier end later.
    """
    # The end is computed in SQL from the row's own joined_on, so a join date
    # changed meanwhile cannot make the UPDATE miss or break the date check.
    end = Greatest(models.Value(membership_today(), models.DateField()), models.F("joined_on"))
    Membership.objects.filter(pk=membership.pk).alias(end=end).filter(
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=models.F("end"))
    ).update(left_on=end)
    membership.refresh_from_db(fields=["joined_on", "left_on"])
    return membership
