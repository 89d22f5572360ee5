"""Query vocabulary for tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from projects.models import ColumnCategory
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
        return self.live().exclude(column__category=ColumnCategory.DONE)

    def assigned_to(self, user: User) -> TaskQuerySet:
        return self.filter(assignee=user)

    def in_board_order(self) -> TaskQuerySet:
        return self.order_by("rank")


# SQLite's own LOWER() and LIKE fold ASCII only, so "ЭКСПОРТ" would not find
# "экспорт" there while PostgreSQL (a UTF-8 locale) finds it. Rather than keep
# a folded copy of every searched column up to date on each write, SQLite
# connections get a Unicode-aware lower function (registered in
# ``TasksConfig.ready`` on ``connection_created``) and searches compare
# ``UnicodeLower(field)`` with the query lowered by Python the same way.
# A name of its own, not an override of LOWER: the case-insensitive unique
# constraints of other apps are indexes built with SQLite's LOWER.
SQLITE_LOWER_FUNCTION = "internboard_lower"


def _python_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: teach a new SQLite connection Unicode lower case."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_LOWER_FUNCTION, 1, _python_lower, deterministic=True
        )


class UnicodeLower(models.Func):
    """Lower case of a text expression for every script, on both databases.

    PostgreSQL's LOWER follows the database's UTF-8 locale (C.UTF-8 or any
    xx_XX.UTF-8 folds Cyrillic); SQLite uses the function registered above.
    """

    function = "LOWER"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_LOWER_FUNCTION, **extra_context)
