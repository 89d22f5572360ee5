"""Who may see and change projects and their columns (HTML views and API alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from projects.models import Column, Project
from teams.models import Role
from teams.permissions import viewer_role
from teams.selectors import active_memberships_of

if TYPE_CHECKING:
    from accounts.models import User


def get_project_for_user(user: User, pk: int) -> Project:
    """The project with ``pk`` if the user may see it, with ``viewer_role``; else Http404."""
    project = (
        Project.objects.visible_to(user)
        .with_viewer_role(user)
        .select_related("team", "team__cohort")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404(_("No such project."))
    return project


def can_view_project(user: User, project: Project) -> bool:
    return user.is_active and (
        user.is_staff or viewer_role(user, project, project.team_id) is not None
    )


def can_manage_project(user: User, project: Project) -> bool:
    """Settings, columns and archiving: mentors of the project's team and staff."""
    return user.is_active and (
        user.is_staff or viewer_role(user, project, project.team_id) == Role.MENTOR
    )


def can_create_projects(user: User) -> bool:
    """Staff and mentors of some team; asked before the body is read, which team comes later."""
    return user.is_active and (
        user.is_staff or active_memberships_of(user).filter(role=Role.MENTOR).exists()
    )


def get_column_of_project(project: Project, pk: int) -> Column:
    """A column of a project already fetched for the user; Http404 for any other id."""
    column = Column.objects.filter(project=project, pk=pk).first()
    if column is None:
        raise Http404(_("No such column."))
    column.project = project  # reuse the fetched project (and its viewer_role)
    return column
