from __future__ import annotations

import factory

from projects.models import Column
from tasks.models import Task
from tasks.services import task_create
from teams.models import Role
from tests.projects.factories import ProjectFactory
from tests.teams.factories import MembershipFactory


def column(project, name: str) -> Column:
    return Column.objects.get(project=project, name=name)


class TaskFactory(factory.django.DjangoModelFactory):
    """A task made through ``task_create``, as the app makes one: its number, rank and
    activity row, the WIP limit and the review rule all apply.

    ``reporter`` is who creates it (the service's ``by``; default: a new intern of the
    project's team); ``column_name`` picks the column (default "To do"). Any other keyword
    is passed to the service. Create only: the service is the one way a task is made.
    """

    class Meta:
        model = Task

    class Params:
        column_name = "To do"

    project = factory.SubFactory(ProjectFactory)
    reporter = factory.LazyAttribute(
        lambda task: MembershipFactory(team=task.project.team, role=Role.INTERN).user
    )
    title = factory.Sequence(lambda n: f"Task {n}")
    column = factory.LazyAttribute(lambda task: column(task.project, task.column_name))

    @classmethod
    def _create(cls, model_class, *args, reporter, **kwargs):
        return task_create(by=reporter, **kwargs)


def make_task(project, by, *, column_name: str = "To do", title: str = "Task", **fields):
    """Shorthand for ``TaskFactory``: the project and its creator first, as most tests say."""
    return TaskFactory(project=project, reporter=by, column_name=column_name, title=title, **fields)
