"""Team page and project settings (HTML, progressively enhanced with htmx).

Every view: fetch through a permission fetcher (404 outside the team), check
the role predicate, call one service or selector, respond. Column actions
answer htmx with the re-rendered columns region and plain posts with a
redirect, so the settings page works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import navigation
from config.errors import DomainError
from config.htmx import AuthenticatedRequest, is_htmx_partial, render_page_or_partial
from projects import selectors, services
from projects.forms import ColumnForm, ColumnMoveForm, ProjectForm
from projects.models import Project
from projects.permissions import get_column_of_project, get_project_for_management
from teams import selectors as team_selectors
from teams.permissions import can_manage_team, get_team_for_management, get_team_for_user


@login_required
@require_GET
def team_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk)
    mentors, interns = team_selectors.team_roster(team)
    context = {
        "team": team,
        "mentors": mentors,
        "interns": interns,
        "projects": _with_links(selectors.team_projects(team)),
        "can_manage": can_manage_team(request.user, team),
    }
    # Pages of higher apps about the team (analytics), for those who manage it.
    context["team_links"] = navigation.links("team", team.pk) if context["can_manage"] else []
    return render(request, "projects/team_detail.html", context)


def _with_links(projects: Iterable[Project]) -> list[Project]:
    """The projects, each with ``links`` to its pages in higher apps (the board first)."""
    projects = list(projects)
    for project in projects:
        project.links = navigation.links("project", project.pk)
    return projects


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request: AuthenticatedRequest, team_pk: int) -> HttpResponse:
    team = get_team_for_management(request.user, team_pk)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(team=team, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
            return redirect("project_settings", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "projects/project_form.html", {"team": team, "form": form}, status=status
    )


def _settings_context(project: Project, **extra) -> dict:
    return {
        "project": project,
        "project_links": navigation.links("project", project.pk),
        "columns": selectors.project_columns(project),
        "column_form": ColumnForm(),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def project_settings_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_management(request.user, pk)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Project settings saved."))
            return redirect("project_settings", pk=project.pk)
    if form.is_bound:
        # The failed form must not rename the page header: show stored values.
        project.refresh_from_db()
    status = 400 if form.is_bound else 200
    return render(
        request,
        "projects/project_settings.html",
        _settings_context(project, form=form),
        status=status,
    )


@login_required
@require_POST
def project_archive_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_management(request.user, pk)
    archived = request.POST.get("archived") == "1"
    services.project_set_archived(project=project, by=request.user, archived=archived)
    if archived:
        messages.success(request, _("Project archived."))
    else:
        messages.success(request, _("Project restored."))
    return redirect("project_settings", pk=project.pk)


def _columns_response(
    request: AuthenticatedRequest,
    project: Project,
    *,
    error: str | None = None,
    column_form: ColumnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Answer a column action: the columns region for htmx, a redirect otherwise."""
    if not is_htmx_partial(request):
        if error:
            messages.error(request, error)
        return redirect("project_settings", pk=project.pk)
    context = _settings_context(project, column_error=error)
    if column_form is not None:
        context["column_form"] = column_form
    return render_page_or_partial(
        request, "projects/project_settings.html", "columns", context, status=status
    )


def _form_error_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


@login_required
@require_POST
def column_create_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_management(request.user, pk)
    form = ColumnForm(request.POST)
    if not form.is_valid():
        return _columns_response(
            request, project, error=_form_error_text(form), column_form=form, status=400
        )
    try:
        services.column_create(project=project, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _columns_response(
            request, project, error=str(error.message), column_form=form, status=400
        )
    return _columns_response(request, project)


@login_required
@require_POST
def column_update_view(request: AuthenticatedRequest, pk: int, column_pk: int) -> HttpResponse:
    project = get_project_for_management(request.user, pk)
    column = get_column_of_project(project, column_pk)
    form = ColumnForm(request.POST)  # no instance: the service compares old and new
    if not form.is_valid():
        return _columns_response(request, project, error=_form_error_text(form), status=400)
    try:
        services.column_update(column=column, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _columns_response(request, project, error=str(error.message), status=400)
    return _columns_response(request, project)


@login_required
@require_POST
def column_move_view(request: AuthenticatedRequest, pk: int, column_pk: int) -> HttpResponse:
    project = get_project_for_management(request.user, pk)
    column = get_column_of_project(project, column_pk)
    form = ColumnMoveForm(request.POST)
    if not form.is_valid():
        return _columns_response(request, project, error=_form_error_text(form), status=400)
    try:
        services.column_move(column=column, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _columns_response(request, project, error=str(error.message), status=400)
    return _columns_response(request, project)


@login_required
@require_POST
def column_delete_view(request: AuthenticatedRequest, pk: int, column_pk: int) -> HttpResponse:
    project = get_project_for_management(request.user, pk)
    column = get_column_of_project(project, column_pk)
    try:
        services.column_delete(column=column, by=request.user)
    except DomainError as error:
        return _columns_response(request, project, error=str(error.message), status=400)
    return _columns_response(request, project)
