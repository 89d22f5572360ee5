"""The board, the task dialog/page and every task action (HTML, htmx-enhanced).

Each view fetches through a permission fetcher of ``tasks.permissions`` (404
outside the team, 403 inside without the right, one call), runs one service
through ``config.htmx.submit`` (the one form → service → refusal skeleton) or
one selector, and responds: htmx gets the regions to swap, a plain request
gets a full page or a redirect, so the board works without JavaScript.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from config import navigation
from config.htmx import AuthenticatedRequest, Refused, is_htmx_partial, submit
from projects import selectors as project_selectors
from projects.models import ColumnCategory, Project
from projects.permissions import (
    can_manage_project,
    get_column_of_project,
    get_project_for_user,
    project_for_user,
)
from tasks import attachments, selectors, services
from tasks.forms import (
    INLINE_FIELDS,
    BoardFilterForm,
    ChecklistAddForm,
    CommentForm,
    LabelForm,
    MoveForm,
    MoveToForm,
    QuickAddForm,
    ReviewForm,
    TaskEditForm,
    TaskFieldForm,
)
from tasks.models import Priority, Task
from tasks.permissions import (
    MOVE_RELATED,
    can_review,
    can_work_on_tasks,
    get_board_project_for_user,
    get_checklist_item_of_task,
    get_project_for_new_task,
    get_task_for_review,
    get_task_for_user,
    get_task_for_work,
)
from tasks.selectors import MAX_SEARCH_LENGTH, BoardFilters
from teams import selectors as team_selectors
from teams.models import Role
from teams.permissions import can_manage_team

BOARD_TEMPLATE = "tasks/board.html"
TASK_TEMPLATE = "tasks/task_detail.html"


# --- Dashboard ------------------------------------------------------------------------


@login_required
@require_GET
def dashboard_view(request: AuthenticatedRequest) -> HttpResponse:
    """A mentor's review queue first; an intern's recent reviews; my tasks; my teams.

    Higher apps add their own sections (analytics: at-risk interns) and links
    through ``config.navigation``: this view names none of their URLs.
    """
    teams = list(team_selectors.teams_for_dashboard(request.user))
    projects_by_team: dict[int, list[Project]] = {}
    for project in project_selectors.projects_for_user(request.user):
        projects_by_team.setdefault(project.team_id, []).append(project)
    rows = []
    for team in teams:
        manage = can_manage_team(request.user, team)
        rows.append(
            {
                "team": team,
                "projects": projects_by_team.get(team.pk, []),
                "can_manage": manage,
                "is_mentor": team.viewer_role == Role.MENTOR,
                "links": navigation.links("team", team.pk) if manage else [],
            }
        )
    is_mentor = any(team.viewer_role == Role.MENTOR for team in teams)
    is_intern = any(team.viewer_role == Role.INTERN for team in teams)
    my_tasks: dict[Project, list[Task]] = {}
    for task in selectors.my_open_tasks(request.user):
        my_tasks.setdefault(task.project, []).append(task)
    review_queue = [
        {"task": task} for task in (selectors.review_queue(request.user) if is_mentor else [])
    ]
    return render(
        request,
        "tasks/dashboard.html",
        {
            "rows": rows,
            "my_tasks": my_tasks,
            "is_mentor": is_mentor,
            "review_queue": review_queue,
            "recent_reviews": selectors.recent_reviews_of(request.user) if is_intern else [],
            "intern_links": navigation.links("intern", request.user.pk) if is_intern else [],
            "panels": navigation.panels("dashboard", request),
        },
    )


# --- Board ----------------------------------------------------------------------------------


def _filter_form(project: Project, data: QueryDict) -> BoardFilterForm:
    members = team_selectors.team_member_list(project.team)
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
        "card_text": _card_text(),
    }


def _card_text() -> dict[str, str]:
    """The words every card repeats, translated once per request rather than once per card."""
    return {
        "due": _("Due date"),
        "checklist": _("Checklist"),
        "comments": _("Comments"),
        "move_to": _("Move to…"),
        "overdue": _("Overdue"),
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
        # The move dialog's choices: the board's own columns when it shows them all.
        "all_columns": (
            [board_column.column for board_column in columns]
            if column_ids is None
            else project_selectors.project_columns(project)
        ),
        "next_url": _with_query(_board_url(project), context["filter_query"]),
        "page_url": _with_query(_board_url(project), context["filter_query"]),
        "can_work": can_work_on_tasks(request.user, project),
        "can_manage": can_manage_project(request.user, project),
        # Read with the project when it came through get_board_project_for_user.
        "state": selectors.board_state_annotated(project)
        if hasattr(project, "state_count")
        else selectors.board_state(project),
        "since": f"{timezone.now().timestamp():.6f}",
        "quick_add_form": QuickAddForm(project=project),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request")
def board_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_board_project_for_user(request.user, pk)
    if request.GET.get("archived") == "1":
        return redirect(_archive_url(project, request.GET))
    context = _board_context(request, project, request.GET)
    template = f"{BOARD_TEMPLATE}#board" if is_htmx_partial(request) else BOARD_TEMPLATE
    return render(request, template, context)


def _archive_url(project: Project, data: QueryDict) -> str:
    """The board's archive: the task list of its archived tasks (read-only, with "Restore"),
    with the board's filters that list knows (labels belong to one board)."""
    query = _filter_form(project, data).valid_query()
    query.pop("label", None)
    query["project"] = str(project.pk)
    return _task_list_url(query, archived=True)


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

    htmx appends it (100 cards) under the column as the user scrolls; without JavaScript
    it is a page of its own with a link to the next one, the no-JavaScript
    way through a long column at a constant cost per page.
    """
    project = get_project_for_user(request.user, pk)
    column = get_column_of_project(project, column_pk)
    after = _rank_param(request.GET, "after")
    if after is None and (request.GET.get("after") or is_htmx_partial(request)):
        return HttpResponse(_("Unknown column or position."), status=400)
    if is_htmx_partial(request):
        # The next cards as the board scrolls: the filters the board echoes, read
        # without the members and labels queries the filter form would cost.
        filters = _echoed_filters(request.GET)
        context = {
            "filters": filters,
            "filter_query": _filters_query(filters),
            "card_text": _card_text(),
        }
    else:
        context = _filter_context(project, request.GET)
    limit = (
        selectors.CARDS_PER_SCROLL_PAGE if is_htmx_partial(request) else selectors.CARDS_PER_PAGE
    )
    cards = selectors.column_cards_after(
        column=column, user=request.user, filters=context["filters"], after_rank=after, limit=limit
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
        has_more=len(cards) == limit,
        last_rank=cards[-1].rank if cards else None,
        next_url=_with_query(page_url, page_query.urlencode()),
        page_url=_with_query(page_url, page_query.urlencode()),
        board_url=_with_query(_board_url(project), context["filter_query"]),
        can_work=can_work_on_tasks(request.user, project),
    )
    if is_htmx_partial(request):
        return render(request, f"{BOARD_TEMPLATE}#more-cards", context)
    return render(request, "tasks/board_column.html", context)


@login_required
@require_GET
def board_changes_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The board's poll: 204 when nothing changed (one query), else the changed columns."""
    # Visibility and the board's state in one query; the project is read only
    # when something changed (or to answer 404 the usual way).
    state = selectors.board_state_of(project_for_user(request.user, pk))
    if state is not None and request.GET.get("state") == state:
        return HttpResponse(status=204)
    project = get_project_for_user(request.user, pk)
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


def _board_answer(
    request: AuthenticatedRequest,
    project: Project,
    column_ids: list[int],
    outcome: Any,
) -> HttpResponse:
    """The answer to a board write: the columns it touched (htmx) or a redirect back.

    A refusal is shown as an error line over the re-rendered columns; without
    JavaScript it becomes a message on the page the user came from.
    """
    refused = outcome if isinstance(outcome, Refused) else None
    if not is_htmx_partial(request):
        if refused is not None:
            messages.error(request, refused.message)
        return redirect(_next_url(request, _board_url(project)))
    if refused is None:
        return _board_update(request, project, column_ids)
    return _board_update(
        request, project, column_ids, message=refused.message, status=refused.status
    )


@login_required
@require_POST
def task_move_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move a task: the board's drag and drop and Move to (htmx), or the task page's form.

    From the board the task is taken by id (``services.task_move_checked``):
    the user's right is asked of the rows the move locks, one statement fewer
    than reading the task first. A refused move, the form without JavaScript
    and invalid input read the task as every other write does, so nobody
    outside the team learns more than a 404 whatever they send.
    """
    board = is_htmx_partial(request)
    task = None if board else get_task_for_work(request.user, pk, related=MOVE_RELATED)
    # Re-rendered on a refusal: where the card is, where it goes and where this
    # client showed it. After a conflict these can be three different columns,
    # and leaving the one the client saw would keep a stale copy on its board.
    affected: list[int] = []
    source: list[int] = []

    def move(data: dict[str, Any]) -> Task:
        affected.append(data["column"])
        if data["from_column"]:
            affected.append(data["from_column"])
        place = {
            "by": request.user,
            "column": data["column"],
            "position": data["position"],
            "before": data["before"],
            "version": data["version"],
        }
        if task is not None:
            return services.task_move(task=task, **place)
        moved, left = services.task_move_checked(task_id=pk, **place)
        source.append(left)
        return moved

    outcome = submit(MoveForm(request.POST), move)
    if isinstance(outcome, Task) and board:
        return _moved_answer(request, outcome, source_id=source[0])
    if task is None:
        task = get_task_for_work(request.user, pk, related=MOVE_RELATED)
    affected.insert(0, task.column_id)
    if isinstance(outcome, Refused) and outcome.current is not None:
        affected.append(outcome.current.column_id)  # where the card really is now
    return _board_answer(request, task.project, affected, outcome)


def _moved_answer(request: AuthenticatedRequest, moved: Task, *, source_id: int) -> HttpResponse:
    """htmx answer to a successful move: only what changed, whatever the board's size.

    The counts of the column the card left and of the one it entered (out of
    band), and in ``HX-Trigger-After-Swap`` its placement: its column, the card
    it now sits above, its new version and whether it is overdue (completing a
    task ends that). board.js puts the card there, or drops it when it moved
    past the cards loaded so far. A refusal still re-renders the whole columns.
    """
    headers = selectors.column_headers(
        project=moved.project,
        user=request.user,
        filters=_echoed_filters(request.GET),
        column_ids=sorted({source_id, moved.column_id}),
        below=moved,
    )
    target = next(header for header in headers if header.column.pk == moved.column_id)
    placement = {
        "task": moved.pk,
        "column": moved.column_id,
        "before": target.column.below_id,
        "version": moved.version,
        "overdue": moved.is_overdue(),
    }
    response = render(request, f"{BOARD_TEMPLATE}#board-moved", {"board_columns": headers})
    response["HX-Trigger-After-Swap"] = json.dumps({"board-moved": placement})
    return response


def _filters_query(filters: BoardFilters) -> str:
    """``filters`` as the query string the board's links carry (as BoardFilterForm.valid_query)."""
    query = QueryDict(mutable=True)
    for name, value in [
        ("q", filters.text),
        ("assignee", str(filters.assignee_id or "")),
        ("label", str(filters.label_id or "")),
        ("priority", filters.priority),
        ("mine", "on" if filters.mine else ""),
    ]:
        if value:
            query[name] = value
    return query.urlencode()


def _echoed_filters(data: QueryDict) -> BoardFilters:
    """The filters a board echoes back on its moves (its own validated query string), read
    without the members and labels queries that validating them against the project costs.

    They only narrow the two counts and the "card below" of the answer to this
    request; a hand-made value (an id from elsewhere) just yields zero counts.
    """

    def number(name: str) -> int | None:
        raw = data.get(name, "")
        # isascii: str.isdigit() also accepts digits like "²" that int() refuses.
        return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63 else None

    priority = data.get("priority", "")
    text = data.get("q", "").strip()
    return BoardFilters(
        assignee_id=number("assignee"),
        label_id=number("label"),
        priority=priority if priority in Priority.values else "",
        # As the filter form's CharField: NUL characters are refused (PostgreSQL
        # cannot compare text with them), and so is a search too long.
        text=text if len(text) <= MAX_SEARCH_LENGTH and "\x00" not in text else "",
        mine=data.get("mine") == "on",
    )


@login_required
@require_POST
def task_quick_add_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_new_task(request.user, pk)
    affected: list[int] = []

    def create(data: dict[str, Any]) -> Task:
        affected.append(data["column"].pk)
        return services.task_create(
            project=project, by=request.user, title=data["title"], column=data["column"]
        )

    outcome = submit(QuickAddForm(request.POST, project=project), create)
    return _board_answer(request, project, affected, outcome)


# --- Task dialog and page --------------------------------------------------------------------


def _task_context(request: AuthenticatedRequest, task: Task, **forms: Any) -> dict[str, Any]:
    members = team_selectors.team_member_list(task.project.team)
    detail = selectors.task_detail(task)
    # The task's labels are read once (task_detail), not again by the edit form.
    labels = {"labels": [label.pk for label in detail["labels"]]}
    columns = list(project_selectors.project_columns(task.project))  # read once, used twice
    can_work = can_work_on_tasks(request.user, task.project)
    # The whole edit form is the no-JavaScript way to edit. An htmx answer (the dialog,
    # a region of the page) always lands where task_edit.js edits in place and hides that
    # form, so it is rendered there only to show a submitted form's errors: its nine
    # widgets were a third of the dialog's render time.
    show_edit_form = can_work and (not is_htmx_partial(request) or "edit_form" in forms)
    edit_form = (
        TaskEditForm(instance=task, project=task.project, members=members, initial=labels)
        if show_edit_form
        else None
    )
    inline_form = TaskEditForm(
        instance=task,
        project=task.project,
        members=members,
        initial=labels,
        auto_id=_inline_id(task),
    )
    if can_work:
        # Both the in-place editor and the whole form offer the project's labels: read once.
        choices = [(label.pk, label.name) for label in detail["project_labels"]]
        for form in (edit_form, inline_form):
            if form is not None:
                form.fields["labels"].choices = choices
    context = {
        "task": task,
        "project": task.project,
        "inline": {name: inline_form[name] for name in INLINE_FIELDS},
        "can_work": can_work,
        "can_review": can_review(request.user, task.project)
        and task.column.category == ColumnCategory.REVIEW,
        "all_columns": columns,
        "move_form": MoveToForm(
            columns=columns,
            places=selectors.move_places(task),
            auto_id=f"task-{task.pk}-move-%s",
        )
        if can_work
        else None,
        "edit_form": edit_form,
        "comment_form": CommentForm(),
        "checklist_form": ChecklistAddForm(),
        "review_form": ReviewForm(),
        "label_form": LabelForm(),
        **detail,
        "deletable_attachments": attachments.deletable(request.user, task, detail["attachments"]),
        "attachment_max_bytes": attachments.max_bytes(),
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
    if request.method == "POST":
        task = get_task_for_user(request.user, task.pk)  # fresh, after the change
    context = _task_context(request, task, **forms)
    context.update(message=message, message_is_error=status >= 400)
    template = f"{TASK_TEMPLATE}#task-body" if is_htmx_partial(request) else TASK_TEMPLATE
    return render(request, template, context, status=status)


def _task_action(
    request: AuthenticatedRequest,
    task: Task,
    action: Callable[[dict[str, Any]], Any],
    *,
    form: django_forms.BaseForm | None = None,
    form_name: str = "",
    success: str = "",
) -> HttpResponse:
    """Run one task write through ``submit`` and answer with the task body.

    A refusal re-renders the task with the message, keeping what the user
    typed in ``form`` (rendered as ``form_name``); a version conflict shows
    the task as it is now instead (409).
    """
    outcome = submit(form, action)
    if not isinstance(outcome, Refused):
        return _task_response(request, task, message=success)
    if outcome.current is not None:
        return _task_response(request, outcome.current, status=409, message=outcome.message)
    kept = {form_name: form} if form_name else {}
    return _task_response(request, task, status=outcome.status, message=outcome.message, **kept)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def task_detail_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    return _task_response(request, task)


@login_required
@require_POST
def task_edit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    members = team_selectors.team_member_list(task.project.team)
    form = TaskEditForm(
        request.POST, instance=Task(project=task.project), project=task.project, members=members
    )

    def edit(data: dict[str, Any]) -> Task:
        data = dict(data)
        assignee_id = data.pop("assignee")
        assignee = next((m.user for m in members if m.user_id == assignee_id), None)
        return services.task_edit(task=task, by=request.user, assignee=assignee, **data)

    return _task_action(
        request, task, edit, form=form, form_name="edit_form", success=_("Task saved.")
    )


def _inline_id(task: Task) -> str:
    """The ids of the in-place editors: apart from the whole form's, which the body also holds."""
    return f"task-{task.pk}-%s"


@login_required
@require_POST
def task_edit_field_view(request: AuthenticatedRequest, pk: int, field: str) -> HttpResponse:
    """One field of the task edited in place from the dialog or page (task_edit.js).

    The same rules and version check as the whole form (``TaskFieldForm``,
    ``services.task_edit_field``); htmx gets the field back (``#inline-field``):
    its new value and "Saved", or the refusal with what was typed kept, and
    after a conflict the value as it is now. A plain POST is redirected back to
    the task page with the message, as the whole form is.
    """
    task = get_task_for_work(request.user, pk)
    if field not in INLINE_FIELDS:
        return _task_response(request, task, status=400, message=_("Unknown field."))
    members = team_selectors.team_member_list(task.project.team)
    form = TaskFieldForm(
        request.POST,
        instance=Task(project=task.project),
        project=task.project,
        members=members,
        field=field,
        auto_id=_inline_id(task),
    )

    def edit(data: dict[str, Any]) -> Task:
        value = data[field]
        if field == "assignee":
            value = next((m.user for m in members if m.user_id == value), None)
        return services.task_edit_field(
            task=task, by=request.user, version=data["version"], field=field, value=value
        )

    outcome = submit(form, edit)
    refused = outcome if isinstance(outcome, Refused) else None
    if not is_htmx_partial(request):
        if refused is None:
            return _task_response(request, task, message=_("Saved."))
        return _task_response(request, task, status=refused.status, message=refused.message)
    if refused is None:
        task = outcome
        bound = TaskEditForm(
            instance=task,
            project=task.project,
            members=members,
            auto_id=_inline_id(task),
            # The task's labels are read for the labels field alone.
            initial={} if field == "labels" else {"labels": []},
        )[field]
        state, message, status = "", _("Saved."), 200
    else:
        # What was typed stays in the editor; after a conflict the field shows the
        # task as it is now beside it, with the version to save against.
        task = refused.current or task
        bound = form[field]
        state = "conflict" if refused.status == 409 else "invalid"
        message, status = refused.message, refused.status
    context = {
        "task": task,
        "f": bound,
        "labels": list(task.labels.order_by("name")) if field == "labels" else [],
        "can_work": True,
        "inline_state": state,
        "inline_message": message,
    }
    return render(request, f"{TASK_TEMPLATE}#inline-field", context, status=status)


@login_required
@require_POST
def task_archive_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    archived = request.POST.get("archived") == "1"
    return _task_action(
        request,
        task,
        lambda _data: services.task_set_archived(task=task, by=request.user, archived=archived),
        success=_("Task archived.") if archived else _("Task restored."),
    )


@login_required
@require_POST
def comment_create_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    return _task_action(
        request,
        task,
        lambda data: services.comment_create(task=task, by=request.user, body=data["body"]),
        form=CommentForm(request.POST),
        form_name="comment_form",
    )


@login_required
@require_POST
def checklist_add_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    return _task_action(
        request,
        task,
        lambda data: services.checklist_add(task=task, by=request.user, text=data["text"]),
        form=ChecklistAddForm(request.POST),
        form_name="checklist_form",
    )


@login_required
@require_POST
def checklist_toggle_view(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    item = get_checklist_item_of_task(task, item_pk)
    services.checklist_toggle(item=item, by=request.user, done=request.POST.get("done") == "1")
    return _task_response(request, task)


@login_required
@require_POST
def checklist_delete_view(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    services.checklist_delete(item=get_checklist_item_of_task(task, item_pk), by=request.user)
    return _task_response(request, task)


@login_required
@require_POST
def checklist_move_view(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    item = get_checklist_item_of_task(task, item_pk)
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
    task = get_task_for_work(request.user, pk)
    return _task_action(
        request,
        task,
        lambda data: services.task_label_add(task=task, by=request.user, **data),
        form=LabelForm(request.POST),
        form_name="label_form",
    )


@login_required
@require_POST
def review_submit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    task = get_task_for_review(request.user, pk)
    return _task_action(
        request,
        task,
        lambda data: services.review_submit(task=task, by=request.user, **data),
        form=ReviewForm(request.POST),
        form_name="review_form",
        success=_("Review saved."),
    )


# --- Task list --------------------------------------------------------------------------

TASKS_PER_PAGE = 50


@login_required
@require_GET
def task_list_view(request: AuthenticatedRequest) -> HttpResponse:
    """Every live task the user may see, with the board's filters plus project, state and
    a completion window, sortable and paged: where analytics numbers lead."""
    from django.core.paginator import Paginator

    from tasks.forms import TaskListFilterForm

    projects, members = selectors.task_list_choices(request.user)
    form = TaskListFilterForm(request.GET, projects=projects, members=members)
    # ``archived=1``: the archive (read-only rows with "Restore") instead of the live tasks.
    archived = request.GET.get("archived") == "1"
    filters = dataclasses.replace(form.list_filters(), archived=archived)
    page = Paginator(selectors.task_list(request.user, filters), TASKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    unsorted = form.valid_query(sort=False)
    valid_query = form.valid_query()
    if archived:
        unsorted["archived"] = valid_query["archived"] = "1"
    sort_links = {}
    for key in selectors.TASK_LIST_SORTS:
        query = unsorted.copy()
        current = filters.sort == key
        query["sort"] = f"-{key}" if current and not filters.descending else key
        sort_links[key] = {
            "url": "?" + query.urlencode(),
            "active": current,
            "descending": current and filters.descending,
        }
    return render(
        request,
        "tasks/task_list.html",
        {
            "page_obj": page,
            "filter_form": form.without_invalid_values(),
            "filter_query": valid_query.urlencode(),
            "sort_links": sort_links,
            "today": timezone.localdate(),
            "archived": archived,
            # One project chosen: its whole task list as CSV (issue 13's export).
            "export_url": reverse("project_tasks_csv", args=[filters.project_id])
            if filters.project_id
            else "",
            "live_url": _task_list_url(valid_query, archived=False),
            "archived_url": _task_list_url(valid_query, archived=True),
            # Restoring is working on the task: members of a live project's team, and staff.
            "restorable": (
                {project.pk for project in projects if can_work_on_tasks(request.user, project)}
                if archived
                else set()
            ),
        },
    )


def _task_list_url(query: QueryDict, *, archived: bool) -> str:
    """The task list with the same filters, live or archived (its order starts afresh)."""
    query = query.copy()
    query.pop("sort", None)
    query.pop("archived", None)
    if archived:
        query["archived"] = "1"
    return _with_query(reverse("task_list"), query.urlencode())


# --- Attachments ----------------------------------------------------------------------------


@csrf_exempt  # checked by _attachment_upload, once the body is known to be within the cap
@login_required
@require_POST
def attachment_upload_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Attach a file (multipart field ``file``) from the task dialog or page.

    CsrfViewMiddleware reads ``request.POST``, which parses the whole body:
    a body over the cap is refused here first, from its Content-Length alone.
    """
    task = get_task_for_work(request.user, pk)
    if attachments.body_too_large(request):
        return _task_response(request, task, status=400, message=str(attachments.too_large()))
    return _attachment_upload(request, task)


@csrf_protect
def _attachment_upload(request: AuthenticatedRequest, task: Task) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _task_response(request, task, status=400, message=_("Choose a file to attach."))
    return _task_action(
        request,
        task,
        lambda _data: services.attachment_add(task=task, by=request.user, upload=upload),
        success=_("File attached."),
    )


@login_required
@require_POST
def attachment_delete_view(
    request: AuthenticatedRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    task = get_task_for_work(request.user, pk)
    attachment = attachments.get_attachment_for_delete(request.user, task, attachment_pk)
    services.attachment_delete(attachment=attachment, by=request.user)
    return _task_response(request, task, message=_("Attachment deleted."))


@login_required
@require_GET
def attachment_download_view(
    request: AuthenticatedRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    return attachments.attachment_response(attachments.get_attachment_of_task(task, attachment_pk))


@login_required
@require_GET
def attachment_thumbnail_view(
    request: AuthenticatedRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    task = get_task_for_user(request.user, pk)
    attachment = attachments.get_attachment_of_task(task, attachment_pk)
    return attachments.attachment_response(attachment, thumbnail=True)
