"""Project webhook pages (HTML): list and add, edit, delete, send a test ping.

Every view fetches the project through ``get_project_for_webhooks`` (404
outside the team, 403 for interns), calls one service or selector and
responds; posts redirect, so the pages work without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import DomainError
from config.htmx import AuthenticatedRequest
from integrations import selectors, services
from integrations.forms import WebhookForm
from integrations.permissions import get_project_for_webhooks, get_webhook_of_project

DETAIL_DELIVERIES = 50


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_project_for_webhooks(request.user, pk)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            webhook = services.webhook_create(project=project, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            # The only time the secret is shown: afterwards pages show ••••last4.
            messages.success(
                request,
                _(
                    "Webhook added. Its secret is %(secret)s — copy it now: it will not be "
                    "shown again."
                )
                % {"secret": webhook.secret},
            )
            return redirect("webhook_detail", pk=project.pk, webhook_pk=webhook.pk)
    context = {
        "project": project,
        "webhooks": selectors.project_webhooks_with_recent_deliveries(project),
        "form": form,
    }
    status = 400 if form.is_bound else 200
    return render(request, "integrations/webhook_list.html", context, status=status)


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
    context = {
        "project": project,
        "webhook": webhook,
        "form": form,
        "deliveries": selectors.webhook_deliveries(webhook)[:DETAIL_DELIVERIES],
    }
    status = 400 if form.is_bound else 200
    return render(request, "integrations/webhook_detail.html", context, status=status)


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
        messages.error(request, _("Test ping failed: %(error)s") % {"error": result.error})
    return redirect("webhook_detail", pk=project.pk, webhook_pk=webhook.pk)
