"""Project webhook pages (HTML): list and add, edit, delete, send a test ping.

Every view fetches the project through ``get_project_for_webhooks`` (404
outside the team, 403 for interns), calls one service or selector and
responds; posts redirect, so the pages work without JavaScript and a reload
never posts again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import DomainError
from config.htmx import AuthenticatedRequest
from integrations import selectors, services
from integrations.delivery_errors import describe_delivery_error
from integrations.forms import WebhookForm
from integrations.models import Webhook
from integrations.permissions import get_project_for_webhooks, get_webhook_of_project
from projects.models import Project

DETAIL_DELIVERIES = 50


# A new webhook's secret waits in the (database-backed) session for the one GET
# of its page after the create POST; it is never put in a cookie or a URL, and
# that GET deletes it.
NEW_SECRET_SESSION_KEY = "integrations.new_webhook_secret"  # noqa: S105 - a key name


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """List the project's webhooks and add one (Post/Redirect/Get to its page)."""
    project = get_project_for_webhooks(request.user, pk)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            webhook = services.webhook_create(project=project, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            request.session[NEW_SECRET_SESSION_KEY] = {
                "webhook": webhook.pk,
                "secret": webhook.secret,
            }
            return redirect("webhook_detail", pk=project.pk, webhook_pk=webhook.pk)
    context = {
        "project": project,
        "webhooks": selectors.project_webhooks_with_recent_deliveries(project),
        "form": form,
    }
    status = 400 if form.is_bound else 200
    return render(request, "integrations/webhook_list.html", context, status=status)


def _render_detail(
    request: AuthenticatedRequest,
    project: Project,
    webhook: Webhook,
    form: WebhookForm,
    *,
    status: int = 200,
    new_secret: str | None = None,
) -> HttpResponse:
    context = {
        "project": project,
        "webhook": webhook,
        "form": form,
        "deliveries": selectors.webhook_deliveries_with_attempts(webhook)[:DETAIL_DELIVERIES],
        "new_secret": new_secret,
    }
    return render(request, "integrations/webhook_detail.html", context, status=status)


@never_cache  # the first page after creation holds the secret: keep it out of every cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail_view(request: AuthenticatedRequest, pk: int, webhook_pk: int) -> HttpResponse:
    project = get_project_for_webhooks(request.user, pk)
    webhook = get_webhook_of_project(project, webhook_pk)
    form = WebhookForm(request.POST if request.method == "POST" else None, webhook=webhook)
    if form.is_bound and form.is_valid():
        try:
            services.webhook_update(webhook=webhook, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("webhook_detail", pk=project.pk, webhook_pk=webhook.pk)
    if form.is_bound:
        # The refused form must not change what the page says is stored.
        webhook.refresh_from_db()
        return _render_detail(request, project, webhook, form, status=400)
    created = request.session.pop(NEW_SECRET_SESSION_KEY, None)
    new_secret = created["secret"] if created and created["webhook"] == webhook.pk else None
    return _render_detail(request, project, webhook, form, new_secret=new_secret)


@login_required
@require_POST
def webhook_delete_view(request: AuthenticatedRequest, pk: int, webhook_pk: int) -> HttpResponse:
    project = get_project_for_webhooks(request.user, pk)
    webhook = get_webhook_of_project(project, webhook_pk)
    services.webhook_delete(webhook=webhook, by=request.user)
    messages.success(request, _("Webhook deleted."))
    return redirect("webhook_list", pk=project.pk)


@login_required
@require_POST
def webhook_test_view(request: AuthenticatedRequest, pk: int, webhook_pk: int) -> HttpResponse:
    project = get_project_for_webhooks(request.user, pk)
    webhook = get_webhook_of_project(project, webhook_pk)
    result = services.webhook_send_test(webhook=webhook, by=request.user)
    if result.ok:
        messages.success(
            request,
            _("Test ping delivered: HTTP %(code)s in %(ms)d ms.")
            % {"code": result.status_code, "ms": result.duration_ms},
        )
    else:
        messages.error(
            request,
            _("Test ping failed: %(error)s") % {"error": describe_delivery_error(result.error)},
        )
    return redirect("webhook_detail", pk=project.pk, webhook_pk=webhook.pk)
