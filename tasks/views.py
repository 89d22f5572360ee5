"""The board, the task dialog/page and every task action (HTML, htmx-enhanced).

Each view fetches through a permission fetcher (404 outside the team), checks
the role predicate, calls one service or selector and responds: htmx gets the
regions to swap, a plain request gets a full page or a redirect, so the board
works without JavaScript.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from config.errors import DomainError
from config.htmx import AuthenticatedRequest, is_htmx_partial
from projects import selectors as project_selectors
from projects.models import Column, Project
from projects.permissions import get_project_for_user
from tasks import selectors, services
from tasks.forms import (
    BoardFilterForm,
    ChecklistAddForm,
    CommentForm,
    LabelForm,
    MoveForm,
    QuickAddForm,
    ReviewForm,
    TaskEditForm,
)
from tasks.models import ChecklistItem, Task
from tasks.permissions import can_review, can_work_on_tasks, get_task_for_user
from teams import selectors as team_selectors
from teams.permissions import can_manage_team

BOARD_TEMPLATE = "tasks/board.html"
TASK_TEMPLATE = "tasks/task_detail.html"


# --- Dashboard ------------------------------------------------------------------------


@login_required
@require_GET
def dashboard_view(request: AuthenticatedRequest) -> HttpResponse:
    """My tasks across projects, and my teams with their projects."""
    teams = list(team_selectors.teams_for_dashboard(request.user))
    projects_by_team: dict[int, list[Project]] = {}
    for project in project_selectors.projects_for_user(request.user):
        projects_by_team.setdefault(project.team_id, []).append(project)
    rows = [
        {
            "team": team,
            "projects": projects_by_team.get(team.pk, []),
            "can_manage": can_manage_team(request.user, team),
        }
        for team in teams
    ]
    my_tasks: dict[Project, list[Task]] = {}
    for task in selectors.my_open_tasks(request.user):
        my_tasks.setdefault(task.project, []).append(task)
    return render(
        request,
        "tasks/dashboard.html",
        {"rows": rows, "my_tasks": my_tasks, "today": timezone.localdate()},
    )


# --- Board ----------------------------------------------------------------------------------


def _filter_form(project: Project, data: QueryDict) -> BoardFilterForm:
    members = list(team_selectors.team_members(project.team))
    labels = list(selectors.project_labels(project))
    return BoardFilterForm(data, project=project, members=members, labels=labels)


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _filter_context(project: Project, data: QueryDict) -> dict[str, Any]:
    """The filters of a board request, validated once; only valid values are echoed back."""
    form = _filter_form(project, data)
    filter_query = form.valid_query().urlencode()
    return {
        "filters": form.filters(),
        "filter_form": form.without_invalid_values(),
        "filter_query": filter_query,
    }


def _board_context(
    request: AuthenticatedRequest,
    project: Project,
    data: QueryDict,
    *,
    column_ids: list[int] | None = None,
) -> dict[str, Any]:
    context = _filter_context(project, data)
    # Every column shows its first page; the rest comes page by page (htmx as
    # the user scrolls, or the column's own pages without JavaScript), so no
    # request renders a whole 5,000-card column.
    columns = selectors.board(
        project=project,
        user=request.user,
        filters=context["filters"],
        column_ids=column_ids,
    )
    return {
        **context,
        "project": project,
        "board_columns": columns,
        "all_columns": project_selectors.project_columns(project),
        "next_url": _with_query(_board_url(project), context["filter_query"]),
        "page_url": _with_query(_board_url(project), context["filter_query"]),
        "can_work": can_work_on_tasks(request.user, project),
        "state": selectors.board_state(project),
        "since": f"{timezone.now().timestamp():.6f}",
        "today": timezone.localdate(),
        "quick_add_form": QuickAddForm(project=project),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request")
def board_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    context = _board_context(request, project, request.GET)
    template = f"{BOARD_TEMPLATE}#board" if is_htmx_partial(request) else BOARD_TEMPLATE
    return render(request, template, context)


def _rank_param(data: QueryDict, name: str) -> int | None:
    """A rank from the query string, or None when absent, junk or out of a rank's range."""
    try:
        value = int(data.get(name, ""))
    except ValueError:
        return None
    return value if -(2**63) <= value < 2**63 else None


@login_required
@require_GET
@vary_on_headers("HX-Request")
def column_more_view(request: AuthenticatedRequest, pk: int, column_pk: int) -> HttpResponse:
    """One page of a column's cards after the rank of the last card shown (keyset paging).

    htmx appends it under the column as the user scrolls; without JavaScript
    it is a page of its own with a link to the next one, the no-JavaScript
    way through a long column at a constant cost per page.
    """
    project = get_project_for_user(request.user, pk)
    column = Column.objects.filter(project=project, pk=column_pk).first()
    if column is None:
        raise Http404(_("Unknown column."))
    after = _rank_param(request.GET, "after")
    if after is None and (request.GET.get("after") or is_htmx_partial(request)):
        return HttpResponse(_("Unknown column or position."), status=400)
    context = _filter_context(project, request.GET)
    cards = selectors.column_cards_after(
        column=column, user=request.user, filters=context["filters"], after_rank=after
    )
    page_url = reverse("board_column_more", args=[project.pk, column.pk])
    page_query = QueryDict(mutable=True)
    if after is not None:
        page_query["after"] = str(after)
    page_query.update(QueryDict(context["filter_query"]))
    context.update(
        project=project,
        column=column,
        cards=cards,
        all_columns=project_selectors.project_columns(project),
        has_more=len(cards) == selectors.CARDS_PER_PAGE,
        last_rank=cards[-1].rank if cards else None,
        next_url=_with_query(page_url, page_query.urlencode()),
        page_url=_with_query(page_url, page_query.urlencode()),
        board_url=_with_query(_board_url(project), context["filter_query"]),
        can_work=can_work_on_tasks(request.user, project),
        today=timezone.localdate(),
    )
    if is_htmx_partial(request):
        return render(request, f"{BOARD_TEMPLATE}#more-cards", context)
    return render(request, "tasks/board_column.html", context)


@login_required
@require_GET
def board_changes_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The board's poll: 204 when nothing changed (one query), else the changed columns."""
    project = get_project_for_user(request.user, pk)
    state = selectors.board_state(project)
    if request.GET.get("state") == state:
        return HttpResponse(status=204)
    try:
        since = datetime.datetime.fromtimestamp(
            float(request.GET.get("since", "")), tz=datetime.UTC
        )
    except (ValueError, OverflowError, OSError):
        since = None
    column_ids = None if since is None else sorted(selectors.columns_changed_since(project, since))
    context = _board_context(request, project, request.GET, column_ids=column_ids)
    return render(request, f"{BOARD_TEMPLATE}#changes", context)


# --- Writes on the board ------------------------------------------------------------------------


def _next_url(request: AuthenticatedRequest, default: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _board_url(project: Project) -> str:
    return reverse("board", args=[project.pk])


def _get_workable_task(request: AuthenticatedRequest, pk: int) -> Task:
    task = get_task_for_user(request.user, pk)
    if not can_work_on_tasks(request.user, task.project):
        raise PermissionDenied(_("You cannot change tasks of this project."))
    return task


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _board_update(
    request: AuthenticatedRequest,
    project: Project,
    column_ids: list[int],
    *,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    """htmx answer to a board write: a status line plus the affected columns out of band."""
    context = _board_context(request, project, request.GET, column_ids=column_ids)
    context.update(message=message, message_is_error=status >= 400)
    return render(request, f"{BOARD_TEMPLATE}#board-update", context, status=status)


@login_required
@require_POST
def task_move_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    project = task.project
    default_next = _board_url(project)
    form = MoveForm(request.POST, project=project)
    if not form.is_valid():
        return _refuse(request, project, [task.column_id], _form_errors(form), 400, default_next)
    column = form.cleaned_data["column"]
    position = form.cleaned_data["position"]
    before_id = form.cleaned_data["before"]
    if before_id:
        before = Task.objects.live().filter(pk=before_id, column=column).first()
        if before is not None:
            position = selectors.position_before(
                column=column, before=before, moving_task_id=task.pk
            )
    # Re-render where the card is, where it goes and where this client showed
    # it: after a conflict these can be three different columns, and leaving
    # the one the client saw would keep a stale copy on its board.
    affected = [task.column_id, column.pk]
    if form.cleaned_data["from_column"]:
        affected.append(form.cleaned_data["from_column"])
    try:
        services.task_move(
            task=task,
            by=request.user,
            column=column,
            position=position,
            version=form.cleaned_data["version"],
        )
    except services.ConflictError as error:
        affected.append(error.task.column_id)
        return _refuse(request, project, affected, str(error), 409, default_next)
    except DomainError as error:
        return _refuse(request, project, affected, str(error), 400, default_next)
    if not is_htmx_partial(request):
        return redirect(_next_url(request, default_next))
    return _board_update(request, project, affected)


def _refuse(
    request: AuthenticatedRequest,
    project: Project,
    column_ids: list[int],
    message: str,
    status: int,
    default_next: str,
) -> HttpResponse:
    if not is_htmx_partial(request):
        messages.error(request, message)
        return redirect(_next_url(request, default_next))
    return _board_update(request, project, column_ids, message=message, status=status)


@login_required
@require_POST
def task_quick_add_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not can_work_on_tasks(request.user, project):
        raise PermissionDenied(_("You cannot add tasks to this project."))
    form = QuickAddForm(request.POST, project=project)
    default_next = _board_url(project)
    if not form.is_valid():
        return _refuse(request, project, [], _form_errors(form), 400, default_next)
    column = form.cleaned_data["column"]
    try:
        services.task_create(
            project=project, by=request.user, title=form.cleaned_data["title"], column=column
        )
    except DomainError as error:
        return _refuse(request, project, [column.pk], str(error), 400, default_next)
    if not is_htmx_partial(request):
        return redirect(_next_url(request, default_next))
    return _board_update(request, project, [column.pk])


# --- Task dialog and page --------------------------------------------------------------------


def _task_context(request: AuthenticatedRequest, task: Task, **forms: Any) -> dict[str, Any]:
    members = list(team_selectors.team_members(task.project.team))
    context = {
        "task": task,
        "project": task.project,
        "can_work": can_work_on_tasks(request.user, task.project),
        "can_review": can_review(request.user, task.project) and task.column.category == "review",
        "all_columns": project_selectors.project_columns(task.project),
        "edit_form": TaskEditForm(instance=task, project=task.project, members=members),
        "comment_form": CommentForm(),
        "checklist_form": ChecklistAddForm(),
        "review_form": ReviewForm(),
        "label_form": LabelForm(),
        "today": timezone.localdate(),
        **selectors.task_detail(task),
    }
    context.update(forms)
    return context


def _task_response(
    request: AuthenticatedRequest,
    task: Task,
    *,
    status: int = 200,
    message: str = "",
    **forms: Any,
) -> HttpResponse:
    """The task body for htmx (dialog or page region); a redirect back for plain posts."""
    if request.method == "POST" and not is_htmx_partial(request):
        if message:
            (messages.error if status >= 400 else messages.success)(request, message)
        return redirect(_next_url(request, reverse("task_detail", args=[task.pk])))
    task = get_task_for_user(request.user, task.pk)  # fresh, after the change
    context = _task_context(request, task, **forms)
    context.update(message=message, message_is_error=status >= 400)
    template = f"{TASK_TEMPLATE}#task-body" if is_htmx_partial(request) else TASK_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def task_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    return _task_response(request, task)


@login_required
@require_POST
def task_edit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    members = list(team_selectors.team_members(task.project.team))
    form = TaskEditForm(
        request.POST, instance=Task(project=task.project), project=task.project, members=members
    )
    if not form.is_valid():
        return _task_response(request, task, status=400, message=_form_errors(form), edit_form=form)
    data = dict(form.cleaned_data)
    assignee_id = data.pop("assignee")
    assignee = next((m.user for m in members if m.user_id == assignee_id), None)
    try:
        task = services.task_edit(task=task, by=request.user, assignee=assignee, **data)
    except services.ConflictError as error:
        return _task_response(request, error.task, status=409, message=str(error))
    except DomainError as error:
        return _task_response(request, task, status=400, message=str(error), edit_form=form)
    return _task_response(request, task, message=_("Task saved."))


@login_required
@require_POST
def task_archive_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    archived = request.POST.get("archived") == "1"
    try:
        task = services.task_set_archived(task=task, by=request.user, archived=archived)
    except DomainError as error:
        return _task_response(request, task, status=400, message=str(error))
    return _task_response(
        request, task, message=_("Task archived.") if archived else _("Task restored.")
    )


@login_required
@require_POST
def comment_create_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _task_response(
            request, task, status=400, message=_form_errors(form), comment_form=form
        )
    try:
        services.comment_create(task=task, by=request.user, body=form.cleaned_data["body"])
    except DomainError as error:
        return _task_response(request, task, status=400, message=str(error), comment_form=form)
    return _task_response(request, task)


@login_required
@require_POST
def checklist_add_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    form = ChecklistAddForm(request.POST)
    if not form.is_valid():
        return _task_response(
            request, task, status=400, message=_form_errors(form), checklist_form=form
        )
    try:
        services.checklist_add(task=task, by=request.user, text=form.cleaned_data["text"])
    except DomainError as error:
        return _task_response(request, task, status=400, message=str(error))
    return _task_response(request, task)


def _get_item(task: Task, item_pk: int) -> ChecklistItem:
    item = ChecklistItem.objects.filter(task=task, pk=item_pk).first()
    if item is None:
        raise Http404(_("No such checklist item."))
    item.task = task
    return item


@login_required
@require_POST
def checklist_toggle_view(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    item = _get_item(task, item_pk)
    services.checklist_toggle(item=item, by=request.user, done=request.POST.get("done") == "1")
    return _task_response(request, task)


@login_required
@require_POST
def checklist_delete_view(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    services.checklist_delete(item=_get_item(task, item_pk), by=request.user)
    return _task_response(request, task)


@login_required
@require_POST
def checklist_move_view(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    task = _get_workable_task(request, pk)
    item = _get_item(task, item_pk)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        return _task_response(request, task, status=400, message=_("Unknown position."))
    services.checklist_move(item=item, by=request.user, position=max(0, min(position, 1000)))
    return _task_response(request, task)


@login_required
@require_POST
def label_create_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Create a project label from the task dialog and put it on the task."""
    task = _get_workable_task(request, pk)
    form = LabelForm(request.POST)
    if not form.is_valid():
        return _task_response(
            request, task, status=400, message=_form_errors(form), label_form=form
        )
    try:
        label = services.label_create(project=task.project, by=request.user, **form.cleaned_data)
        services.task_set_labels(task=task, by=request.user, labels=[*task.labels.all(), label])
    except DomainError as error:
        return _task_response(request, task, status=400, message=str(error), label_form=form)
    return _task_response(request, task)


@login_required
@require_POST
def review_submit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    if not can_review(request.user, task.project):
        raise PermissionDenied(_("Only a mentor of the team can review."))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _task_response(
            request, task, status=400, message=_form_errors(form), review_form=form
        )
    try:
        services.review_submit(task=task, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _task_response(request, task, status=400, message=str(error), review_form=form)
    return _task_response(request, task, message=_("Review saved."))
