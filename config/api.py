"""What every API endpoint shares: errors, pagination, throttling.

Errors are always JSON: ``{"detail": "message"}``, plus ``"errors": {field:
[messages]}`` for validation, plus ``"current"`` (the task as it is now) for
a 409 version conflict. A refused use-case (``DomainError``) is a 400, a
version conflict a 409; nothing a client sends can produce a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``page_size`` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ClientRateThrottle(SimpleRateThrottle):
    """One budget per API token (or per user for browser sessions, per address otherwise)."""

    scope = "client"

    def get_cache_key(self, request, view) -> str:
        token = getattr(request, "auth", None)
        if token is not None and getattr(token, "pk", None):
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(field): [str(item) for item in (items if isinstance(items, list) else [items])]
            for field, items in detail.items()
        }
    return {"non_field_errors": [str(item) for item in detail]} if isinstance(detail, list) else {}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        current = getattr(exc, "task", None)
        if current is not None:  # a version conflict: hand back the current state
            from tasks.api.serializers import TaskSerializer

            body = {"detail": str(exc), "code": exc.code, "current": TaskSerializer(current).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        body: dict[str, Any] = {"detail": str(exc), "code": exc.code}
        if exc.field:
            body["errors"] = {exc.field: [str(exc)]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("Invalid input."), "errors": _flatten(exc.detail)}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response


def is_schema_generation(view) -> bool:
    """drf-spectacular calls ``get_queryset`` without a user or URL kwargs to learn the model."""
    return getattr(view, "swagger_fake_view", False)


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the user's language."},
        "code": {"type": "string", "description": "A stable name of the refused rule, if any."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per input field (validation errors).",
        },
        "current": {
            "type": "object",
            "additionalProperties": True,
            "description": "On 409: the object as it is now.",
        },
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "Invalid input, or a business rule refused the request.",
    "401": "Missing, malformed, revoked or expired credentials.",
    "403": "Authenticated, but your role may not do this.",
    "404": "Not found, or not visible to you.",
    "405": "Method not allowed.",
    "406": "Only application/json is produced.",
    "415": "Only application/json is accepted.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing: document the JSON error body on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description})
                responses[code].setdefault("content", reference)
            if "409" in responses:
                responses["409"].setdefault("content", reference)
    return result
