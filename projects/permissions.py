"""Who may see and change projects and their columns (HTML views and API alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.permissions import is_coordinator
from projects.models import Column, Project
from teams.permissions import (
    is_mentor_somewhere,
    is_viewer_mentor,
    viewer_role,
    visible_with_role,
)

if TYPE_CHECKING:
    import datetime

    from django.db.models import QuerySet

    from accounts.models import User


def project_for_user(
    user: User, pk: int, *, today: datetime.date | None = None
) -> QuerySet[Project]:
    """The project with ``pk`` if the user may see it, as a queryset (empty otherwise), with
    ``viewer_role``: for a caller that reads less than the whole project (the board's poll).
    ``today``: as ``visible_with_role`` takes it."""
    return visible_with_role(Project.objects.filter(pk=pk), user, "team_id", today=today)


def get_project_for_user(user: User, pk: int) -> Project:
    """The project with ``pk`` if the user may see it, with ``viewer_role``; else Http404."""
    project = project_for_user(user, pk).select_related("team", "team__cohort").first()
    if project is None:
        raise Http404(_("No such project."))
    return project


def can_view_project(user: User, project: Project) -> bool:
    return is_coordinator(user) or (
        user.is_active and viewer_role(user, project, project.team_id) is not None
    )


def can_manage_project(user: User, project: Project) -> bool:
    """Settings, columns and archiving: mentors of the project's team and staff."""
    return is_coordinator(user) or (
        user.is_active and is_viewer_mentor(user, project, project.team_id)
    )


def get_project_for_management(user: User, pk: int, *, refusal: str | None = None) -> Project:
    """The project if ``user`` may change its settings (columns, webhooks…); Http404 outside
    its team, PermissionDenied inside it without the right (interns). Pages and API alike.

    ``refusal`` words the 403 for a particular setting (e.g. webhooks).
    """
    project = get_project_for_user(user, pk)
    if not can_manage_project(user, project):
        raise PermissionDenied(refusal or _("Only the team's mentors can change project settings."))
    return project


def can_create_projects(user: User) -> bool:
    """Staff and mentors of some team; asked before the body is read, which team comes later."""
    return is_coordinator(user) or (user.is_active and is_mentor_somewhere(user))


def get_column_of_project(project: Project, pk: int) -> Column:
    """A column of a project already fetched for the user; Http404 for any other id."""
    column = Column.objects.filter(project=project, pk=pk).first()
    if column is None:
        raise Http404(_("No such column."))
    column.project = project  # reuse the fetched project (and its viewer_role)
    return column
