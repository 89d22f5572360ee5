"""Pages of the Trello import: upload → preview (editable) → import, mentors and staff only.

The uploaded file waits server-side (``tasks.trello.upload_store``) under a
random token kept in the session, never in a cookie's value or a form field:
one pending upload per session, for one team. Boards with more than
``BACKGROUND_CARDS`` cards are imported by a Celery task while a page shows
its progress.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DomainError
from config.htmx import AuthenticatedRequest, render_page_or_partial
from config.queueing import enqueue
from projects.models import ColumnCategory, Project
from tasks import trello
from tasks.tasks import trello_import_task
from teams.models import Team
from teams.permissions import get_team_for_management

SESSION_KEY = "trello_import"


class TrelloUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Trello export (JSON)"),
        help_text=gettext_lazy("In Trello: board menu → Print, export and share → Export as JSON."),
    )
    project = forms.TypedChoiceField(
        label=gettext_lazy("Import into"), coerce=int, required=False, empty_value=None
    )
    key = forms.CharField(
        label=gettext_lazy("Key of the new project"),
        required=False,
        max_length=10,
        help_text=gettext_lazy("Optional, e.g. WEB; made from the board's name when empty."),
    )

    def __init__(self, *args: Any, projects: list[Project], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("A new project"))] + [
            (project.pk, f"{project.key} · {project.name}") for project in projects
        ]


class TrelloPreviewForm(forms.Form):
    """One row per list (include, column name, category) and one user choice per member."""

    def __init__(self, *args: Any, plan: trello.ImportPlan, users: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.plan = plan
        categories = ColumnCategory.choices
        people = [("", _("Nobody (keep the name in the history)"))] + [
            (user.pk, f"{user.display_name} ({user.username})") for user in users
        ]
        self.list_rows = []
        for index, item in enumerate(plan.lists):
            prefix = f"list_{index}"
            self.fields[f"{prefix}_include"] = forms.BooleanField(
                label=_("Import"), required=False, initial=item.include
            )
            self.fields[f"{prefix}_name"] = forms.CharField(
                label=_("Column"), max_length=trello.COLUMN_MAX, initial=item.column_name
            )
            self.fields[f"{prefix}_category"] = forms.ChoiceField(
                label=_("Category"), choices=categories, initial=item.category
            )
            self.list_rows.append(
                (item, *(self[f"{prefix}_{name}"] for name in ("include", "name", "category")))
            )
        self.member_rows = []
        for index, member in enumerate(plan.members):
            name = f"member_{index}"
            self.fields[name] = forms.TypedChoiceField(
                label=member.display_name,
                choices=people,
                coerce=int,
                required=False,
                empty_value=None,
                initial=member.user_id or "",
            )
            self.member_rows.append((member, self[name]))

    def choices(self) -> trello.ImportChoices:
        data = self.cleaned_data
        return trello.ImportChoices(
            lists={
                item.trello_id: trello.ListChoice(
                    include=data[f"list_{index}_include"],
                    name=data[f"list_{index}_name"],
                    category=data[f"list_{index}_category"],
                )
                for index, item in enumerate(self.plan.lists)
            },
            members={
                member.trello_id: data[f"member_{index}"]
                for index, member in enumerate(self.plan.members)
            },
        )


def _pending(request: AuthenticatedRequest, team: Team) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("team") != team.pk:
        return None
    return pending


def _forget(request: AuthenticatedRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict) and isinstance(pending.get("token"), str):
        trello.upload_discard(pending["token"])


@login_required
@require_http_methods(["GET", "POST"])
def trello_upload_view(request: AuthenticatedRequest, team_pk: int) -> HttpResponse:
    team = get_team_for_management(request.user, team_pk)
    projects = trello.empty_projects(team)
    form = TrelloUploadForm(request.POST or None, request.FILES or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token = trello.upload_store(chunks=upload.chunks(), size=upload.size)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            _forget(request)
            request.session[SESSION_KEY] = {
                "team": team.pk,
                "token": token,
                "project": form.cleaned_data["project"],
                "key": form.cleaned_data["key"],
            }
            return redirect("trello_preview", team_pk=team.pk)
    status = 400 if form.is_bound else 200
    context = {"team": team, "form": form, "max_mb": trello.max_bytes() // (1024 * 1024)}
    return render(request, "tasks/trello_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def trello_preview_view(request: AuthenticatedRequest, team_pk: int) -> HttpResponse:
    team = get_team_for_management(request.user, team_pk)
    pending = _pending(request, team)
    upload_url = reverse("trello_upload", kwargs={"team_pk": team.pk})
    if pending is None:
        messages.info(request, _("Upload a Trello export first."))
        return redirect(upload_url)
    try:
        board = trello.trello_parse(data=trello.upload_read(pending["token"]))
    except DomainError as error:
        _forget(request)
        messages.error(request, error.message)
        return redirect(upload_url)
    users = trello.team_users(team)
    plan = trello.trello_plan(board=board, users=users)
    project = trello.team_project(team, pending.get("project"))
    target = project or trello.trello_reimport_target(team=team, board_id=board.id)
    form = TrelloPreviewForm(request.POST or None, plan=plan, users=users)
    if request.method == "POST" and form.is_valid():
        if plan.large:
            return _start_job(request, team, pending, form.choices(), project)
        try:
            result = trello.trello_import(
                team=team,
                by=request.user,
                board=board,
                choices=form.choices(),
                project=project,
                key=pending.get("key") or "",
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            _forget(request)
            messages.success(request, _imported_message(result))
            return redirect("board", pk=result.project.pk)
    context = {
        "team": team,
        "plan": plan,
        "form": form,
        "target": target,
        "reimport": target is not None and project is None,
        "key": pending.get("key") or "",
    }
    status = 400 if form.is_bound else 200
    return render(request, "tasks/trello_preview.html", context, status=status)


def _imported_message(result: trello.ImportResult) -> str:
    values = {
        "name": result.project.name,
        "created": result.tasks_created,
        "updated": result.tasks_updated,
        "comments": result.comments,
        "moves": result.moves,
    }
    if result.reimport:
        return (
            _(
                "“%(name)s” updated from Trello: %(created)d new tasks, %(updated)d updated, "
                "%(comments)d new comments, %(moves)d new moves."
            )
            % values
        )
    return (
        _(
            "“%(name)s” imported from Trello: %(created)d tasks, %(comments)d comments, "
            "%(moves)d moves in the history."
        )
        % values
    )


def _start_job(
    request: AuthenticatedRequest,
    team: Team,
    pending: dict,
    choices: trello.ImportChoices,
    project: Project | None,
) -> HttpResponse:
    job = trello.trello_job_prepare(
        token=pending["token"],
        team=team,
        by=request.user,
        choices=choices,
        project=project,
        key=pending.get("key") or "",
    )
    # The upload now belongs to the job; the session forgets it without deleting it.
    request.session.pop(SESSION_KEY, None)
    if not enqueue(trello_import_task, job=job):
        trello.upload_discard(job)
        messages.error(request, _("The import could not be started; try again in a minute."))
        return redirect("trello_upload", team_pk=team.pk)
    return redirect("trello_progress", team_pk=team.pk, job=job)


@login_required
@require_GET
def trello_progress_view(request: AuthenticatedRequest, team_pk: int, job: str) -> HttpResponse:
    team = get_team_for_management(request.user, team_pk)
    state = trello.job_state(job)
    if state is None or state.team_id != team.pk or state.user_id != request.user.pk:
        raise Http404(_("No such import."))
    context = {"team": team, "job": job, "state": state}
    return render_page_or_partial(request, "tasks/trello_progress.html", "progress", context)
