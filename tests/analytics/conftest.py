"""Hand-built task histories for the analytics tests.

Times are local (Europe/Moscow, UTC+3, the test settings' TIME_ZONE); the
services are called with ``at=`` so each step happens exactly when the test
says, and time-machine freezes "now" for the steps that take no ``at``.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from projects.models import Column
from tasks import services as tasks_services
from tasks.models import Task

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def at(day: str, clock: str = "12:00") -> datetime.datetime:
    """A local moment: ``at("2026-03-02", "09:30")``."""
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=MSK)


class History:
    """Drives one project's tasks through the real services at chosen local times."""

    def __init__(self, project, intern, mentor):
        self.project = project
        self.intern = intern
        self.mentor = mentor

    def column(self, name: str) -> Column:
        return Column.objects.get(project=self.project, name=name)

    def create(self, when, *, title="Task", column="To do", **fields) -> Task:
        fields.setdefault("assignee", self.intern)
        return tasks_services.task_create(
            project=self.project,
            by=self.intern,
            title=title,
            column=self.column(column),
            at=when,
            **fields,
        )

    def move(self, task: Task, column: str, when) -> Task:
        task.refresh_from_db()
        by = self.mentor if column == "Done" else self.intern
        return tasks_services.task_move(
            task=task,
            by=by,
            column=self.column(column),
            position=None,
            version=task.version,
            at=when,
        )

    def approve(self, task: Task, when, score: int = 5):
        task.refresh_from_db()
        return tasks_services.review_submit(
            task=task, by=self.mentor, decision="approve", score=score, at=when
        )

    def request_changes(self, task: Task, when):
        task.refresh_from_db()
        return tasks_services.review_submit(
            task=task, by=self.mentor, decision="request_changes", comment="Fix it", at=when
        )

    def archive(self, task: Task, when, archived: bool = True) -> Task:
        task.refresh_from_db()
        with time_machine.travel(when, tick=False):
            return tasks_services.task_set_archived(task=task, by=self.mentor, archived=archived)

    def assign(self, task: Task, user) -> Task:
        """Now: the membership check reads today's date (an assignment moves no metric time)."""
        task.refresh_from_db()
        return tasks_services.task_assign(task=task, by=self.mentor, assignee=user)


@pytest.fixture
def history(project, intern, mentor) -> History:
    return History(project, intern, mentor)
