"""Reads about projects shared by pages, admin and later the API and Celery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from projects.models import Column, Project

if TYPE_CHECKING:
    from accounts.models import User
    from teams.models import Team


def projects_for_user(user: User, *, include_archived: bool = False) -> models.QuerySet[Project]:
    """Projects the user may see, with their team and cohort, the user's role annotated."""
    projects = (
        Project.objects.visible_to(user)
        .with_viewer_role(user)
        .select_related("team", "team__cohort")
        .order_by("archived", "team__name", "name")
    )
    if not include_archived:
        projects = projects.active()
    return projects


def team_projects(team: Team, *, include_archived: bool = True) -> models.QuerySet[Project]:
    projects = Project.objects.filter(team=team).annotate(column_count=models.Count("columns"))
    if not include_archived:
        projects = projects.active()
    return projects.order_by("archived", "name")


def project_columns(project: Project | int) -> models.QuerySet[Column]:
    """A project's columns (the project or its id), in board order."""
    return Column.objects.filter(project=project).order_by("position")


def visible_project_ids(user: User) -> models.QuerySet:
    """A subquery of the ids of projects the user may see (for ``project_id__in=``)."""
    return Project.objects.visible_to(user).values("pk")
