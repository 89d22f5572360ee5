"""The permission matrix: every URL of the site, and who may do what on it.

DESIGN.md promises that every page, htmx partial and API endpoint has a row
in a permission-matrix test. This is that matrix, in one place:
``test_url_coverage.py`` fails when the URL configuration and ``MATRIX`` name
different endpoints (or an endpoint accepts a method no row exercises), and
``test_permission_matrix.py`` sends every check as every persona.

Each row is keyed by the URL pattern's name (``namespace:name`` inside a
namespace; the guard lists an unnamed pattern by its route: name it, since
rows build their URL with ``reverse``) and says how to build the URL from the
``World`` (``team``'s objects: see ``conftest.py``), which methods to send and
the status each persona must get, in ALL_PERSONAS order:

    anonymous, staff, mentor, intern, outsider, other_mentor

``outsider`` is an intern and ``other_mentor`` a mentor of another team of the
same cohort. Bodies are empty or minimal: the point is who gets through, so a
persona who may act usually gets a 400 for the empty body, and one who may
not gets what DESIGN.md says, before any validation: anonymous users are sent
to log in (pages) or get 401 (API), interns 403 for mentor-only settings and
staff-only writes, and everyone outside the team 404 for the team's objects.

To add a row: copy a similar one, name its URL kwargs from the World and
write the six statuses. A denied check (401/403/404, or anonymous sent to log
in) must also leave the database unchanged; the test checks that too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import ApiToken, User
from integrations.models import Webhook, WebhookDelivery
from projects.models import Column, Project
from tasks.models import Attachment, ChecklistItem, Task
from teams.models import Membership, Team
from tests.conftest import ALL_PERSONAS

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class World:
    team: Team
    other_team: Team
    project: Project
    column: Column  # "To do" of ``project``
    spare_column: Column  # an empty extra column of ``project``
    task: Task  # in "Review", assigned to the intern
    item: ChecklistItem  # of ``task``
    attachment: Attachment  # a PNG on ``task``, uploaded by the mentor
    webhook: Webhook
    delivery: WebhookDelivery
    token: ApiToken  # the intern's
    member: Membership  # a bystander intern's membership of ``team``
    bystander: User


Data = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Check:
    method: str
    expect: tuple[int, ...]
    data: Data | None = None
    htmx: bool = False

    def __post_init__(self) -> None:
        assert self.method in METHODS, self.method
        assert len(self.expect) == len(ALL_PERSONAS), (
            f"{self.method.upper()}: {len(self.expect)} statuses given, one per persona "
            f"expected: {', '.join(ALL_PERSONAS)}"
        )

    @property
    def label(self) -> str:
        return self.method.upper() + ("-htmx" if self.htmx else "")


@dataclass(frozen=True)
class Row:
    checks: tuple[Check, ...]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    query: str = ""
    api: bool = False  # send a Bearer token instead of a session
    public: bool = False  # anonymous users are served, not sent to log in
    # Fixtures the row needs beyond the world (e.g. a live webhook receiver), and a
    # hook that adjusts the world with them before the request.
    needs: tuple[str, ...] = ()
    prepare: Callable[[World, dict[str, Any]], None] | None = field(default=None)


def page(*checks: Check, **options: Any) -> Row:
    return Row(checks=checks, **options)


def api(*checks: Check, **options: Any) -> Row:
    return Row(checks=checks, api=True, **options)


def get(*expect: int, htmx: bool = False) -> Check:
    return Check("get", expect, htmx=htmx)


def post(*expect: int, data: Data | None = None, htmx: bool = False) -> Check:
    return Check("post", expect, data=data, htmx=htmx)


def put(*expect: int, data: Data | None = None) -> Check:
    return Check("put", expect, data=data)


def patch(*expect: int, data: Data | None = None) -> Check:
    return Check("patch", expect, data=data)


def delete(*expect: int) -> Check:
    return Check("delete", expect)


# Frequent rows of statuses, in ALL_PERSONAS order.
#                  anon staff mentor intern outsider other_mentor
EVERYONE = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
TEAM_PAGE = (302, 200, 200, 200, 404, 404)
MENTOR_PAGE = (302, 200, 200, 403, 404, 404)
API_SIGNED_IN = (401, 200, 200, 200, 200, 200)
API_TEAM = (401, 200, 200, 200, 404, 404)
API_MENTOR = (401, 200, 200, 403, 404, 404)
API_STAFF = (401, 200, 403, 403, 403, 403)


def _bound_form(world: World) -> dict[str, Any]:
    # These views treat an empty POST like a GET (``request.POST or None``).
    return {"name": ""}


def _project(world: World) -> dict[str, Any]:
    return {"pk": world.project.pk}


def _task(world: World) -> dict[str, Any]:
    return {"pk": world.task.pk}


def _item(world: World) -> dict[str, Any]:
    return {"pk": world.task.pk, "item_pk": world.item.pk}


def _attachment(world: World) -> dict[str, Any]:
    return {"pk": world.task.pk, "attachment_pk": world.attachment.pk}


# A notification of the intern (the task's assignee): only its recipient may touch it.
def _notification(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from notifications.models import Notification, NotificationKind

    notification, _created = Notification.objects.get_or_create(
        recipient=world.task.assignee,
        event_id="6f1c9a52-0000-4000-8000-000000000001",
        kind=NotificationKind.ASSIGNED,
        defaults={"task": world.task, "created_at": timezone.now()},
    )
    return {"pk": notification.pk}


def _spare_column(world: World) -> dict[str, Any]:
    return {"pk": world.project.pk, "column_pk": world.spare_column.pk}


def _webhook(world: World) -> dict[str, Any]:
    return {"pk": world.project.pk, "webhook_pk": world.webhook.pk}


def _api_webhook(world: World) -> dict[str, Any]:
    return {"project_id": world.project.pk, "pk": world.webhook.pk}


def _point_webhook_at_receiver(world: World, fixtures: dict[str, Any]) -> None:
    Webhook.objects.filter(pk=world.webhook.pk).update(url=fixtures["receiver"].url())


MATRIX: dict[str, Row] = {
    # --- Probes -------------------------------------------------------------------
    "healthz": page(get(*EVERYONE), public=True),
    "readyz": page(get(*EVERYONE), public=True),
    "statusz": page(get(*EVERYONE), public=True),  # states and ages only, no internals
    # --- Accounts (Django's auth views; PUT is their alias of POST) ---------------
    "login": page(
        get(200, 302, 302, 302, 302, 302),  # signed-in users go to the dashboard
        post(200, 302, 302, 302, 302, 302),  # no credentials: the form again
        put(200, 302, 302, 302, 302, 302),
        public=True,
    ),
    "logout": page(post(302, 302, 302, 302, 302, 302), public=True),
    "password_change": page(get(*SIGNED_IN), post(*SIGNED_IN), put(*SIGNED_IN)),
    "password_change_done": page(get(*SIGNED_IN)),
    "password_reset": page(get(*EVERYONE), post(*EVERYONE), put(*EVERYONE), public=True),
    "password_reset_done": page(get(*EVERYONE), public=True),
    "password_reset_confirm": page(
        # An invalid link: Django answers every method with the page that says so.
        get(*EVERYONE),
        post(*EVERYONE),
        put(*EVERYONE),
        patch(*EVERYONE),
        delete(*EVERYONE),
        kwargs=lambda world: {"uidb64": "MQ", "token": "not-a-token"},
        public=True,
    ),
    "password_reset_complete": page(get(*EVERYONE), public=True),
    "profile": page(get(*SIGNED_IN), post(302, 400, 400, 400, 400, 400)),
    "language_switch": page(post(302, 302, 302, 302, 302, 302), public=True),
    "api_tokens": page(get(*SIGNED_IN), post(302, 400, 400, 400, 400, 400)),
    "api_token_revoke": page(
        post(302, 404, 404, 302, 404, 404),  # only its owner (the intern) sees a token
        kwargs=lambda world: {"pk": world.token.pk},
    ),
    # --- API: users, me, cohorts, teams, members ----------------------------------
    "api-me": api(get(*API_SIGNED_IN)),
    "api-user-list": api(get(*API_STAFF), post(401, 400, 403, 403, 403, 403)),
    "api-user-detail": api(get(*API_STAFF), kwargs=lambda world: {"pk": world.bystander.pk}),
    "api-user-deactivate": api(post(*API_STAFF), kwargs=lambda world: {"pk": world.bystander.pk}),
    "api-cohort-list": api(get(*API_SIGNED_IN), post(401, 400, 403, 403, 403, 403)),
    "api-cohort-detail": api(
        get(*API_SIGNED_IN),  # the other team is in the same cohort
        patch(*API_STAFF),
        kwargs=lambda world: {"pk": world.team.cohort_id},
    ),
    "api-team-list": api(get(*API_SIGNED_IN), post(401, 400, 403, 403, 403, 403)),
    "api-team-detail": api(
        get(*API_TEAM),
        patch(401, 200, 403, 403, 404, 404),
        kwargs=lambda world: {"pk": world.team.pk},
    ),
    "api-team-members": api(
        get(*API_TEAM),
        post(401, 400, 403, 403, 404, 404),
        kwargs=lambda world: {"team_pk": world.team.pk},
    ),
    "api-team-member-detail": api(
        get(*API_TEAM),
        patch(401, 200, 403, 403, 404, 404),
        delete(401, 200, 403, 403, 404, 404),
        kwargs=lambda world: {"team_pk": world.team.pk, "pk": world.member.pk},
    ),
    # --- API: projects and columns --------------------------------------------------
    "api-project-list": api(
        get(*API_SIGNED_IN),
        # Interns may not create projects at all: 403 before the body is read. A mentor
        # naming another team's id gets "unknown team" (400), as for an id that does not
        # exist, never 403 or 404, so ids do not leak.
        post(
            401,
            201,
            201,
            403,
            403,
            400,
            data=lambda world: {"team": world.team.pk, "name": "New", "key": "NEW"},
        ),
    ),
    "api-project-detail": api(get(*API_TEAM), patch(401, 200, 200, 403, 404, 404), kwargs=_project),
    "api-column-list": api(get(*API_TEAM), post(401, 400, 400, 403, 404, 404), kwargs=_project),
    "api-column-detail": api(
        get(*API_TEAM),
        patch(401, 400, 400, 403, 404, 404),  # "nothing to change"
        delete(401, 204, 204, 403, 404, 404),
        kwargs=_spare_column,
    ),
    # --- API: tasks -------------------------------------------------------------------
    "api-task-list": api(
        get(*API_SIGNED_IN),
        # The project is named in the body: another team's is "unknown" (400), never 403.
        post(
            401,
            201,
            201,
            201,
            400,
            400,
            data=lambda world: {"project": world.project.pk, "title": "New"},
        ),
    ),
    "api-task-detail": api(
        get(*API_TEAM),
        patch(401, 400, 400, 400, 404, 404),  # no version
        delete(401, 204, 204, 204, 404, 404),
        kwargs=_task,
    ),
    "api-task-move": api(post(401, 400, 400, 400, 404, 404), kwargs=_task),
    "api-task-comments": api(get(*API_TEAM), post(401, 400, 400, 400, 404, 404), kwargs=_task),
    "api-task-review": api(post(401, 400, 400, 403, 404, 404), kwargs=_task),
    # --- API: webhooks ------------------------------------------------------------------
    "api-webhook-list": api(
        get(*API_MENTOR),
        post(401, 400, 400, 403, 404, 404),
        kwargs=lambda world: {"project_id": world.project.pk},
    ),
    "api-webhook-detail": api(
        get(*API_MENTOR),
        patch(*API_MENTOR),
        delete(401, 204, 204, 403, 404, 404),
        kwargs=_api_webhook,
    ),
    "api-webhook-deliveries": api(get(*API_MENTOR), kwargs=_api_webhook),
    # --- API: analytics (an intern reads only their own) --------------------------------
    "api-analytics-team": api(get(*API_MENTOR), kwargs=lambda world: {"pk": world.team.pk}),
    "api-analytics-intern": api(
        get(*API_TEAM), kwargs=lambda world: {"user_id": world.task.assignee_id}
    ),
    # --- Analytics pages (an intern reads only their own) -------------------------------
    "analytics_team": page(get(*MENTOR_PAGE), kwargs=lambda world: {"pk": world.team.pk}),
    "analytics_team_csv": page(get(*MENTOR_PAGE), kwargs=lambda world: {"pk": world.team.pk}),
    "analytics_team_refresh": page(
        post(302, 302, 302, 403, 404, 404), kwargs=lambda world: {"pk": world.team.pk}
    ),
    "analytics_intern": page(get(*TEAM_PAGE), kwargs=lambda world: {"pk": world.task.assignee_id}),
    # --- API documentation: public by design (DESIGN: served without a CDN) ---------
    "api-schema": page(get(*EVERYONE), public=True),
    "api-docs": page(get(*EVERYONE), public=True),
    "api-redoc": page(get(*EVERYONE), public=True),
    "api-redoc-bundle": page(get(*EVERYONE), public=True),
    # --- Teams and project settings pages -------------------------------------------
    "dashboard": page(get(*SIGNED_IN)),
    "team_detail": page(get(*TEAM_PAGE), kwargs=lambda world: {"pk": world.team.pk}),
    "project_create": page(
        get(*MENTOR_PAGE),
        post(302, 400, 400, 403, 404, 404, data=_bound_form),
        kwargs=lambda world: {"team_pk": world.team.pk},
    ),
    "project_settings": page(
        get(*MENTOR_PAGE), post(302, 400, 400, 403, 404, 404, data=_bound_form), kwargs=_project
    ),
    "project_archive": page(post(302, 302, 302, 403, 404, 404), kwargs=_project),
    # --- Trello import (team area; the upload waits in the session) ------------------------
    "trello_upload": page(
        get(*MENTOR_PAGE),
        post(302, 400, 400, 403, 404, 404, data=_bound_form),
        kwargs=lambda world: {"team_pk": world.team.pk},
    ),
    # No upload pending in the session: those who may import are sent to upload one.
    "trello_preview": page(
        get(302, 302, 302, 403, 404, 404),
        post(302, 302, 302, 403, 404, 404, data=_bound_form),
        kwargs=lambda world: {"team_pk": world.team.pk},
    ),
    # An unknown job answers 404 even to those who may import.
    "trello_progress": page(
        get(302, 404, 404, 403, 404, 404),
        kwargs=lambda world: {"team_pk": world.team.pk, "job": "0" * 32},
    ),
    "column_create": page(post(302, 302, 302, 403, 404, 404), kwargs=_project),
    "column_update": page(post(302, 302, 302, 403, 404, 404), kwargs=_spare_column),
    "column_move": page(post(302, 302, 302, 403, 404, 404), kwargs=_spare_column),
    "column_delete": page(post(302, 302, 302, 403, 404, 404), kwargs=_spare_column),
    # --- Webhook pages -------------------------------------------------------------------
    "webhook_list": page(get(*MENTOR_PAGE), post(302, 400, 400, 403, 404, 404), kwargs=_project),
    "webhook_detail": page(get(*MENTOR_PAGE), post(302, 400, 400, 403, 404, 404), kwargs=_webhook),
    "webhook_delete": page(post(302, 302, 302, 403, 404, 404), kwargs=_webhook),
    "webhook_test": page(
        post(302, 302, 302, 403, 404, 404),
        kwargs=_webhook,
        needs=("receiver",),
        prepare=_point_webhook_at_receiver,
    ),
    # --- Board and tasks (htmx partials also answer plain requests with pages) ------
    "board": page(get(*TEAM_PAGE), get(*TEAM_PAGE, htmx=True), kwargs=_project),
    "board_column_more": page(
        get(*TEAM_PAGE),
        get(*TEAM_PAGE, htmx=True),
        kwargs=lambda world: {"pk": world.project.pk, "column_pk": world.column.pk},
        query="?after=0",
    ),
    "board_changes": page(
        get(*TEAM_PAGE),
        get(*TEAM_PAGE, htmx=True),
        kwargs=_project,
        query="?state=x&since=0",
    ),
    "task_quick_add": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_project),
    "task_list": page(get(*SIGNED_IN)),
    "task_detail": page(get(*TEAM_PAGE), get(*TEAM_PAGE, htmx=True), kwargs=_task),
    "task_edit": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_task),
    # One field edited in place: an empty body has no version (400 with the reason;
    # a plain POST is sent back to the task page with it).
    "task_edit_field": page(
        post(302, 302, 302, 302, 404, 404),
        post(302, 400, 400, 400, 404, 404, htmx=True),
        kwargs=lambda world: {"pk": world.task.pk, "field": "title"},
    ),
    "task_move": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_task),
    "task_archive": page(post(302, 200, 200, 200, 404, 404, htmx=True), kwargs=_task),
    "comment_create": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_task),
    "label_create": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_task),
    "review_submit": page(post(302, 400, 400, 403, 404, 404, htmx=True), kwargs=_task),
    "checklist_add": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_task),
    "checklist_toggle": page(post(302, 200, 200, 200, 404, 404, htmx=True), kwargs=_item),
    "checklist_move": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_item),
    "checklist_delete": page(post(302, 200, 200, 200, 404, 404, htmx=True), kwargs=_item),
    # --- Moving data in and out (tasks.transfer_views, tasks.api.transfer) --------------
    "task_csv_import": page(get(*MENTOR_PAGE), post(302, 400, 400, 403, 404, 404), kwargs=_project),
    # No upload in this session: back to the upload page, for those who may import.
    "task_csv_import_preview": page(
        get(302, 302, 302, 403, 404, 404), post(302, 302, 302, 403, 404, 404), kwargs=_project
    ),
    "project_tasks_csv": page(get(*TEAM_PAGE), kwargs=_project),
    "project_export_json": page(get(*MENTOR_PAGE), kwargs=_project),
    "api-project-export-csv": api(get(*API_TEAM), kwargs=_project),
    "api-project-export-json": api(get(*API_MENTOR), kwargs=_project),
    # --- Notifications: each user's own; watching and mentions: the task's team -------
    "notifications": page(get(*SIGNED_IN)),
    "notifications_bell": page(get(*SIGNED_IN), get(*SIGNED_IN, htmx=True)),
    "notifications_read_all": page(
        post(302, 302, 302, 302, 302, 302), post(302, 200, 200, 200, 200, 200, htmx=True)
    ),
    "notification_read": page(
        post(302, 404, 404, 302, 404, 404),
        post(302, 404, 404, 200, 404, 404, htmx=True),
        kwargs=_notification,
    ),
    "notification_open": page(
        get(302, 404, 404, 302, 404, 404),
        kwargs=_notification,
    ),
    "notification_settings": page(get(*SIGNED_IN), post(302, 400, 400, 400, 400, 400)),
    "task_watch": page(
        get(*TEAM_PAGE),
        get(*TEAM_PAGE, htmx=True),
        post(302, 302, 302, 302, 404, 404),
        post(302, 200, 200, 200, 404, 404, htmx=True),
        kwargs=_task,
    ),
    "task_mentions": page(get(*TEAM_PAGE), kwargs=_task),
    "api-notifications": api(get(*API_SIGNED_IN)),
    "api-notifications-read-all": api(post(*API_SIGNED_IN)),
    "api-notification-read": api(
        post(401, 404, 404, 200, 404, 404),
        kwargs=_notification,
    ),
    # --- Attachments: files leave only through these checked views ----------------------
    "attachment_upload": page(post(302, 400, 400, 400, 404, 404, htmx=True), kwargs=_task),
    "attachment_download": page(get(*TEAM_PAGE), kwargs=_attachment),
    "attachment_thumbnail": page(get(*TEAM_PAGE), kwargs=_attachment),
    # Its uploader (the mentor), mentors and staff; not another intern of the team.
    "attachment_delete": page(post(302, 200, 200, 403, 404, 404, htmx=True), kwargs=_attachment),
    # An upload is multipart: the matrix's empty JSON body is refused as such (415).
    "api-task-attachments": api(get(*API_TEAM), post(401, 415, 415, 415, 404, 404), kwargs=_task),
    "api-task-attachment-detail": api(
        get(*API_TEAM), delete(401, 204, 204, 403, 404, 404), kwargs=_attachment
    ),
}
