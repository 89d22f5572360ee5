"""Error pages: JSON under /api/ (the API speaks only JSON), our own HTML elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from config.api import STATUS_CODES


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _respond(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message, "code": STATUS_CODES[status]}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 400, _("The request could not be understood."))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("You may not do this.")
    return _respond(request, 403, message)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404, _("Not found."))


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No template context beyond the basics: whatever broke may break again.
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Something went wrong on our side."), "code": "server_error"}, status=500
        )
    return render(request, "500.html", status=500)
