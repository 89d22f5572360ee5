"""Pages and htmx partials of notifications: the list, the bell, settings, watching."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.htmx import AuthenticatedRequest, is_htmx_partial, render_page_or_partial
from notifications import selectors, services
from notifications.forms import NotificationSettingsForm, WatchForm
from notifications.permissions import get_notification_for_user
from tasks.permissions import get_task_for_user

PER_PAGE = 50
MENTION_QUERY_MAX = 50


def _page_context(request: AuthenticatedRequest) -> dict[str, object]:
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = selectors.notification_items(list(page.object_list))
    return {
        "page": page,
        "days": selectors.group_by_day(items),
        "unread_count": selectors.unread_count(request.user),
    }


def _list_changed(request: AuthenticatedRequest) -> HttpResponse:
    """The list as it is now; the bell hears of it and refreshes its count."""
    response = render_page_or_partial(
        request, "notifications/notifications.html", "list", _page_context(request)
    )
    response["HX-Trigger"] = "notifications-changed"
    return response


@never_cache
@login_required
@require_GET
def notifications_view(request: AuthenticatedRequest) -> HttpResponse:
    """The user's notifications, newest first, grouped by day (their time zone)."""
    return render(request, "notifications/notifications.html", _page_context(request))


@never_cache
@login_required
@require_GET
def bell_view(request: AuthenticatedRequest) -> HttpResponse:
    """The header's bell with the unread count (htmx polls it; a plain request gets it too)."""
    context = {"count": selectors.unread_count(request.user)}
    return render_page_or_partial(request, "notifications/bell.html", "bell", context)


@login_required
@require_POST
def read_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(notification=notification, by=request.user)
    if is_htmx_partial(request):
        return _list_changed(request)
    return redirect("notifications")


@login_required
@require_POST
def read_all_view(request: AuthenticatedRequest) -> HttpResponse:
    services.notifications_mark_all_read(by=request.user)
    if is_htmx_partial(request):
        return _list_changed(request)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications")


@login_required
@require_GET
def open_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Follow a notification: mark it read and open its task in the board's dialog."""
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return redirect(selectors.task_link(notification.task))


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings_view(request: AuthenticatedRequest) -> HttpResponse:
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        channels=selectors.channels_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(user=request.user, channels=form.cleaned_data)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notification_settings")
    status = 400 if form.is_bound else 200
    return render(request, "notifications/settings.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def task_watch_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The task's watch/unwatch button (GET), and the switch itself (POST)."""
    task = get_task_for_user(request.user, pk)
    if request.method == "POST":
        form = WatchForm(request.POST)
        watch = form.is_valid() and form.cleaned_data["watch"]
        watching = services.task_watch(task=task, by=request.user, watch=watch)
        if not is_htmx_partial(request):
            return redirect(selectors.task_link(task))
    else:
        watching = selectors.is_watching(request.user, task)
    context = {"task": task, "watching": watching}
    return render_page_or_partial(request, "notifications/watch.html", "button", context)


@login_required
@require_GET
def task_mentions_view(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """Members of the task's team for the comment box's @-autocomplete (JSON)."""
    task = get_task_for_user(request.user, pk)
    query = request.GET.get("q", "")[:MENTION_QUERY_MAX]
    members = selectors.mentionable_members(task, query=query)
    return JsonResponse(
        {"results": [{"username": member.username, "name": member.name} for member in members]}
    )
