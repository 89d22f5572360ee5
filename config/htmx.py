"""Helpers shared by the HTML views of every app: typed requests and htmx responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class HtmxRequest(HttpRequest):
    """An HttpRequest as our middleware leaves it (for type checkers and readers)."""

    htmx: HtmxDetails
    user: User | AnonymousUser  # noqa: F821 - resolved by type checkers


class AuthenticatedRequest(HtmxRequest):
    user: User


def is_htmx_partial(request: HttpRequest) -> bool:
    """True for a real htmx swap; a history restore needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page_or_partial(
    request: HttpRequest,
    template: str,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render ``template#partial`` for htmx swaps and the full page otherwise."""
    name = f"{template}#{partial}" if is_htmx_partial(request) else template
    response = render(request, name, context, status=status)
    response["Vary"] = "HX-Request"
    return response
