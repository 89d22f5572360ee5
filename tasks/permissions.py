"""Who may see and change tasks (HTML views and API alike).

Members of the project's team (interns and mentors) and staff work on tasks;
reviewing, and dropping into ``done`` when the project requires review, is for
mentors and staff. Another team's task answers 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from projects.models import ColumnCategory
from projects.permissions import can_manage_project, can_view_project
from tasks.models import Task
from teams.selectors import viewer_role_subquery

if TYPE_CHECKING:
    from accounts.models import User
    from projects.models import Column, Project


def get_task_for_user(user: User, pk: int) -> Task:
    """The task with ``pk`` if the user may see it (its project carries ``viewer_role``)."""
    task = (
        Task.objects.visible_to(user)
        .annotate(viewer_role=viewer_role_subquery(user, "project__team_id"))
        .select_related("project", "project__team", "column", "assignee", "reporter")
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
    return can_manage_project(user, project) and not project.archived


def can_move_into(user: User, project: Project, column: Column) -> bool:
    """Interns may not drop a task into ``done`` when the project requires review."""
    if column.category == ColumnCategory.DONE and project.review_required:
        return can_manage_project(user, project)
    return True
