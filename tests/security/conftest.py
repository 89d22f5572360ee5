"""The world every matrix row is exercised in: ``team``'s objects, one of each kind.

Persona users other than the team's own mentor and intern are created only
when a test logs in as them, so a row costs one world and one login.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from projects.models import Column
from tasks.services import attachment_add, checklist_add
from teams.models import Role
from tests.integrations.conftest import allow_private, receiver  # noqa: F401 - rows' `needs`
from tests.integrations.factories import WebhookDeliveryFactory, WebhookFactory
from tests.security.matrix import World
from tests.tasks.attachment_files import png_upload
from tests.tasks.factories import column, make_task
from tests.teams.factories import MembershipFactory

# Nothing listens there: a webhook saved with it passes the URL check (private
# addresses allowed, as in development) without any name lookup.
WEBHOOK_URL = "http://127.0.0.1:9/matrix"


@pytest.fixture
def world(team, other_team, project, mentor, intern, settings, tmp_path) -> World:
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.MEDIA_ROOT = tmp_path / "media"
    task = make_task(project, intern, title="Matrix task", column_name="Review", assignee=intern)
    webhook = WebhookFactory(project=project, created_by=mentor, url=WEBHOOK_URL)
    token, _raw = api_token_create(user=intern, name="matrix", expires_in_days=None)
    bystander = MembershipFactory(team=team, role=Role.INTERN, user__username="bystander")
    return World(
        team=team,
        other_team=other_team,
        project=project,
        column=column(project, "To do"),
        # Empty, so deleting it is allowed to those who may.
        spare_column=Column.objects.create(
            project=project, name="Spare", category="todo", position=5
        ),
        task=task,
        item=checklist_add(task=task, by=intern, text="Step"),
        attachment=attachment_add(task=task, by=mentor, upload=png_upload("screen.png")),
        webhook=webhook,
        delivery=WebhookDeliveryFactory(webhook=webhook),
        token=token,
        member=bystander,
        bystander=bystander.user,
    )


@pytest.fixture
def login_as(request, client):
    """``login_as(name, api=...)``: a client acting as that persona, or as nobody.

    Pages use the browser session; API rows send a personal Bearer token, as
    integrations do (the per-app contract tests already cover session auth).
    """

    def login(name: str, *, api: bool):
        if name == "anonymous":
            return APIClient() if api else client
        user = request.getfixturevalue(name)
        if not api:
            client.force_login(user)
            return client
        _token, raw = api_token_create(user=user, name="matrix client", expires_in_days=None)
        api_client = APIClient()
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api_client

    return login
