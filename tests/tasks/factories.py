from __future__ import annotations

from projects.models import Column
from tasks.services import task_create


def column(project, name: str) -> Column:
    return Column.objects.get(project=project, name=name)


def make_task(project, by, *, column_name: str = "To do", title: str = "Task", **fields):
    """A task made through the service, so it has its number, rank and activity."""
    return task_create(
        project=project, by=by, title=title, column=column(project, column_name), **fields
    )
