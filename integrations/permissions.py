"""Who may see and change a project's webhooks (HTML views and API alike).

Webhooks are project settings: the team's mentors and staff manage them,
interns of the team get 403, everyone else 404 (the project's existence
does not leak).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from integrations.models import Webhook
from projects.permissions import get_project_for_management

if TYPE_CHECKING:
    from accounts.models import User
    from projects.models import Project


def get_project_for_webhooks(user: User, pk: int) -> Project:
    """The project if ``user`` manages its webhooks; Http404 outside, PermissionDenied inside.

    Webhooks are project settings: the same right as ``get_project_for_management``.
    """
    return get_project_for_management(
        user, pk, refusal=_("Only the team's mentors can manage webhooks.")
    )


def get_webhook_of_project(project: Project, pk: int) -> Webhook:
    """A webhook of a project already fetched for the user; Http404 for any other id."""
    webhook = Webhook.objects.filter(project=project, pk=pk).first()
    if webhook is None:
        raise Http404(_("No such webhook."))
    webhook.project = project  # reuse the fetched project (and its viewer_role)
    return webhook
