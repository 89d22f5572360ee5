"""Query vocabulary for projects and columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from teams.selectors import viewer_role_subquery, visible_team_ids

if TYPE_CHECKING:
    from accounts.models import User


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ProjectQuerySet:
        """Projects of the teams the user may see (all for staff)."""
        return self.filter(team_id__in=visible_team_ids(user))

    def with_viewer_role(self, user: User) -> ProjectQuerySet:
        """Annotate ``viewer_role``: the user's role in the project's team, or None."""
        return self.annotate(viewer_role=viewer_role_subquery(user, "team_id"))

    def active(self) -> ProjectQuerySet:
        return self.filter(archived=False)


class ColumnQuerySet(models.QuerySet):
    def of_category(self, category: str) -> ColumnQuerySet:
        return self.filter(category=category)
