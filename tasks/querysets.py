"""Query vocabulary for tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from projects.selectors import visible_project_ids

if TYPE_CHECKING:
    from accounts.models import User


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TaskQuerySet:
        """Tasks of projects the user may see (all for staff)."""
        return self.filter(project_id__in=visible_project_ids(user))

    def live(self) -> TaskQuerySet:
        """Not archived: on the board."""
        return self.filter(archived=False)

    def in_column(self, column_id: int) -> TaskQuerySet:
        return self.filter(column_id=column_id)

    def open(self) -> TaskQuerySet:
        """Not archived and not in a done column."""
        return self.live().exclude(column__category="done")

    def assigned_to(self, user: User) -> TaskQuerySet:
        return self.filter(assignee=user)

    def in_board_order(self) -> TaskQuerySet:
        return self.order_by("rank")
