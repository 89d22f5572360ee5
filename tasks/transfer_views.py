"""Pages that take tasks in and out of a project: the CSV import, the CSV and JSON exports.

The CSV import is two steps: the upload (kept on the server under a random
token in the uploader's session, see ``tasks.transfer.csv_upload_stash``),
then the preview, where the column mapping is chosen and the import runs all
or nothing. Importing is a management action (mentors and staff); the task
CSV is for everyone who sees the board; the full JSON export for mentors and staff.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from config.csv_files import ImportProblemsError, csv_download
from config.errors import DomainError
from config.htmx import AuthenticatedRequest
from projects.models import Project
from projects.permissions import get_project_for_management, get_project_for_user
from tasks import selectors, transfer
from tasks.forms import BoardFilterForm
from teams import selectors as team_selectors

SESSION_KEY = "task_csv_imports"  # {project id: stash token}
PREVIEW_ROWS = 5
NOT_IMPORTED = ""


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "The first line names the columns. UTF-8 or Windows-1251, separated by commas "
            "or semicolons."
        ),
    )


class CsvMappingForm(forms.Form):
    """One choice per task field: which of the file's columns holds it."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(NOT_IMPORTED, _("— not imported —"))]
        choices += [(str(index), name or f"#{index + 1}") for index, name in enumerate(headers)]
        for name in transfer.IMPORT_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=transfer.IMPORT_FIELD_LABELS[name], choices=choices, required=False
            )

    def mapping(self) -> transfer.Mapping:
        return {
            name: int(value) if (value := self.cleaned_data.get(name)) else None
            for name in transfer.IMPORT_FIELDS
        }


def _stash_token(request: AuthenticatedRequest, project: Project) -> str | None:
    return request.session.get(SESSION_KEY, {}).get(str(project.pk))


def _set_stash_token(request: AuthenticatedRequest, project: Project, token: str | None) -> None:
    tokens = dict(request.session.get(SESSION_KEY, {}))
    old = tokens.pop(str(project.pk), None)
    if old and old != token:
        transfer.csv_upload_discard(token=old)
    if token:
        tokens[str(project.pk)] = token
    request.session[SESSION_KEY] = tokens


@login_required
@require_http_methods(["GET", "POST"])
def task_csv_import_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Step 1: upload a CSV; a readable one is kept and the preview opens."""
    project = get_project_for_management(request.user, pk)
    form = (
        CsvUploadForm(request.POST, request.FILES) if request.method == "POST" else CsvUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(settings.TASK_IMPORT_MAX_BYTES + 1)  # over the cap: refused
        try:
            transfer.tasks_csv_read(data=data)  # refuse an unusable file before keeping it
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            _set_stash_token(request, project, transfer.csv_upload_stash(data=data))
            return redirect("task_csv_import_preview", pk=project.pk)
    return render(
        request,
        "tasks/csv_import.html",
        {"project": project, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_csv_import_preview_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Step 2: the mapping (guessed, editable), a sample and every problem; then the import."""
    project = get_project_for_management(request.user, pk)
    token = _stash_token(request, project)
    try:
        table = transfer.tasks_csv_read(data=transfer.csv_upload_load(token=token or ""))
    except DomainError as error:
        messages.error(request, str(error))
        _set_stash_token(request, project, None)
        return redirect("task_csv_import", pk=project.pk)
    guessed = transfer.tasks_csv_guess_mapping(headers=table.headers)
    initial = {name: "" if index is None else str(index) for name, index in guessed.items()}
    data = request.POST if request.method == "POST" else None
    form = CsvMappingForm(data, headers=table.headers, initial=initial)
    status, problems, error_message = 200, [], ""
    mapping = guessed
    if form.is_bound:
        status = 400
        if form.is_valid():
            mapping = form.mapping()
            try:
                result = transfer.tasks_csv_import(
                    project=project, by=request.user, table=table, mapping=mapping
                )
            except ImportProblemsError as error:
                error_message, problems = str(error), error.problems
            except DomainError as error:
                error_message = str(error)
            else:
                _set_stash_token(request, project, None)
                messages.success(request, result.summary())
                return redirect("board", pk=project.pk)
    plan = None
    if not form.is_bound:
        try:
            plan = transfer.tasks_csv_plan(project=project, table=table, mapping=mapping)
        except DomainError as error:
            error_message = str(error)
        else:
            problems = plan.problems
    context = {
        "project": project,
        "form": form,
        "headers": table.headers,
        "sample": [record for _line, record in table.rows[:PREVIEW_ROWS]],
        "row_count": len(table.rows),
        "plan": plan,
        "problems": problems,
        "error_message": error_message,
    }
    return render(request, "tasks/csv_import_preview.html", context, status=status)


@login_required
@require_GET
def project_tasks_csv_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every task of the project as CSV, narrowed by the board's filters when given."""
    project = get_project_for_user(request.user, pk)
    filters = None
    if request.GET:
        form = BoardFilterForm(
            request.GET,
            project=project,
            members=team_selectors.team_member_list(project.team),
            labels=list(selectors.project_labels(project)),
        )
        filters = form.filters()
    return project_tasks_csv_response(project=project, filters=filters, user=request.user)


def project_tasks_csv_response(
    *, project: Project, filters: selectors.BoardFilters | None = None, user=None
) -> HttpResponse:
    """The CSV download of ``project``'s tasks (shared with the API)."""
    stamp = timezone.localdate().isoformat()
    response, writer = csv_download(f"{project.key}-tasks-{stamp}.csv")
    tasks = transfer.project_tasks_for_export(project=project, filters=filters, user=user)
    transfer.tasks_csv_write(writer=writer, project=project, tasks=tasks)
    return response


def project_json_response(*, project: Project) -> HttpResponse:
    """The full JSON export of ``project`` as a download (shared with the API)."""
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(
        transfer.project_export_json(project=project),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{project.key}-{stamp}.json"'
    return response


@login_required
@require_GET
def project_export_json_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The whole project as JSON: a backup, or a project to move (``import_project``)."""
    project = get_project_for_management(request.user, pk)
    return project_json_response(project=project)
