"""Helpers shared by the HTML views of every app: typed requests and htmx responses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from config.errors import ConflictError, DomainError

if TYPE_CHECKING:
    from django import forms
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


@dataclass(frozen=True)
class Refused:
    """Why a form action did not happen: the message to show and the status to answer.

    400 for invalid input or a refused rule, 409 for a version conflict, with
    ``current`` (the object as it is now) so the page can show it instead of
    the stale copy.
    """

    message: str
    status: int
    current: Any = None


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors as one line for a status message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def submit(form: forms.BaseForm | None, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Validate ``form`` (if any), then call ``action(cleaned_data)``; the action's result.

    The one skeleton of every write behind a form: invalid input and a
    ``DomainError`` from the service come back as ``Refused`` (never raised),
    so each view only decides how to render a refusal and a success.
    """
    if form is not None and not form.is_valid():
        return Refused(form_errors(form), 400)
    try:
        return action(form.cleaned_data if form is not None else {})
    except ConflictError as error:
        return Refused(str(error), 409, current=error.current)
    except DomainError as error:
        return Refused(str(error), 400)
