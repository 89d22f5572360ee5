"""Who may see and change tasks (HTML views, API and services alike).

Members of the project's team (interns and mentors) and staff work on tasks;
reviewing, and dropping into ``done`` when the project requires review, is for
mentors and staff. Another team's task answers 404; a task the user sees but
may not change this way answers 403.

The ``get_*`` fetchers combine both in one call, so every edge asks the same
question the same way; the ``can_*`` predicates answer for objects already
fetched (templates get them as context flags).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from config.compiled_queries import CompiledQuery
from projects.models import ColumnCategory
from projects.permissions import (
    can_manage_project,
    can_view_project,
    get_project_for_user,
    project_for_user,
)
from tasks.models import ChecklistItem, Task
from teams.permissions import (
    VIEWER_SAMPLES,
    viewer_shape_and_values,
    viewer_stand_in,
    visible_with_role,
)

if TYPE_CHECKING:
    import datetime

    from django.db.models import QuerySet

    from accounts.models import User
    from projects.models import Column, Project


# What a task read for the dialog, the task page and the API brings along.
TASK_RELATED = ("project", "project__team", "column", "assignee", "reporter")
# A move reads the task whole again under its locks (``services.task_move``) and
# answers with that read: before them it needs the task's project only.
MOVE_RELATED = ("project",)


def get_task_for_user(user: User, pk: int, *, related: tuple[str, ...] = TASK_RELATED) -> Task:
    """The task with ``pk`` if the user may see it (its project carries ``viewer_role``).

    ``related``: the relations read with it (``project`` at least).
    """
    task = (
        visible_with_role(Task.objects.all(), user, "project__team_id")
        .select_related(*related)
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404(_("No such task."))
    task.project.viewer_role = task.viewer_role
    return task


def can_work_on_tasks(user: User, project: Project) -> bool:
    """Create, edit, comment and move tasks: any member of the team, and staff."""
    return can_view_project(user, project) and not project.archived


def can_review(user: User, project: Project) -> bool:
    """Review tasks: mentors of the team and staff, while the project is not archived."""
    return can_manage_project(user, project) and not project.archived


def can_move_into(user: User, project: Project, column: Column) -> bool:
    """Interns may not drop a task into ``done`` when the project requires review."""
    if column.category == ColumnCategory.DONE and project.review_required:
        return can_manage_project(user, project)
    return True


def get_task_for_work(user: User, pk: int, *, related: tuple[str, ...] = TASK_RELATED) -> Task:
    """The task if ``user`` may change it; Http404 outside the team, PermissionDenied inside."""
    task = get_task_for_user(user, pk, related=related)
    check_task_work(user, task.project)
    return task


def check_task_work(user: User, project: Project | None) -> None:
    """``get_task_for_work``'s rule for a task's project read elsewhere with ``viewer_role``
    (``visible_with_role``); None: the user may not see the task, or there is none.

    ``services.task_move_checked`` asks it of the rows a move locks.
    """
    if project is None:
        raise Http404(_("No such task."))
    if not can_work_on_tasks(user, project):
        raise PermissionDenied(_("You cannot change tasks of this project."))


def get_task_for_review(user: User, pk: int) -> Task:
    """The task if ``user`` may review it; Http404 outside the team, PermissionDenied inside."""
    task = get_task_for_user(user, pk)
    if not can_review(user, task.project):
        raise PermissionDenied(_("Only a mentor of the team can review."))
    return task


def _board_project(
    *, pk: int, user_id: int, today: datetime.date, staff: bool, active: bool
) -> QuerySet[Project]:
    """``get_board_project_for_user``'s query, built once per shape (``_BOARD_PROJECT``)."""
    from tasks.selectors import with_board_state

    viewer = viewer_stand_in(user_id=user_id, staff=staff, active=active)
    visible = project_for_user(viewer, pk, today=today)
    return with_board_state(visible).select_related("team", "team__cohort")[:1]


# Every board page reads its project through this: compiled once, not built per request
# (config.compiled_queries; docs/performance.md, fifth pass).
_BOARD_PROJECT = CompiledQuery(_board_project, samples={"pk": (-1, -2), **VIEWER_SAMPLES})


def get_board_project_for_user(user: User, pk: int) -> Project:
    """``get_project_for_user`` for the board page: the same rule (Http404 outside), and
    the board's state token read in the same query (``selectors.board_state_annotated``)."""
    shape, viewer = viewer_shape_and_values(user)
    found = _BOARD_PROJECT.fetch(shape=shape, pk=pk, **viewer)
    if not found:
        raise Http404(_("No such project."))
    return found[0]


def get_project_for_new_task(user: User, pk: int) -> Project:
    """The project if ``user`` may add tasks to it; Http404 outside, PermissionDenied inside."""
    project = get_project_for_user(user, pk)
    if not can_work_on_tasks(user, project):
        raise PermissionDenied(_("You cannot add tasks to this project."))
    return project


def get_checklist_item_of_task(task: Task, pk: int) -> ChecklistItem:
    """A checklist item of a task already fetched for the user; Http404 for any other id."""
    item = ChecklistItem.objects.filter(task=task, pk=pk).first()
    if item is None:
        raise Http404(_("No such checklist item."))
    item.task = task  # reuse the fetched task (and its project's viewer_role)
    return item
