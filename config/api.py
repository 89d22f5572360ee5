"""What every API endpoint shares: errors, pagination, throttling.

Errors are always JSON: ``{"detail": "message", "code": "stable_name"}``
(``detail`` in the user's language, ``code`` never translated), plus
``"errors": {field: [messages]}`` for validation, plus ``"current"`` (the
object as it is now, serialized by the app that owns it) for a 409 version
conflict. A refused
use-case (``DomainError``) is a 400, a version conflict (``ConflictError``) a
409; nothing a client sends can produce a 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from config.cache import CACHE_ERRORS
from config.errors import ConflictError, DomainError

logger = logging.getLogger(__name__)

# A query-string integer: ASCII digits only (``int()`` also takes " 1", "1_0", "١").
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
MAX_ID = 2**63 - 1  # the largest PostgreSQL bigint, our primary keys
MAX_PAGE = MAX_ID  # past the last page is a 404; past this, not a number we take


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``page_size`` from 1 to 200.

    DRF ignores a ``page_size`` it cannot use (``null``, ``0``, ``5000``) and
    serves the default, while the schema declares an integer: here a value
    the schema rules out is a 400 naming the parameter, for ``page`` too (a
    page number past the end stays DRF's 404).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # "?page=last" is not an integer

    def get_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        return _bounded_int(
            self.page_size_query_param,
            value,
            maximum=self.max_page_size,
            message=_("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size},
        )

    def get_page_number(self, request, paginator) -> int:
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        return _bounded_int(
            self.page_query_param, value, maximum=MAX_PAGE, message=_("Enter a page number from 1.")
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["schema"]["maximum"] = (
                self.max_page_size if parameter["name"] == self.page_size_query_param else MAX_PAGE
            )
        return parameters


def _bounded_int(name: str, value: str, *, maximum: int, message: str) -> int:
    """``value`` as an integer from 1 to ``maximum``, else a 400 naming the parameter."""
    number = int(value) if _DIGITS.fullmatch(value) else 0
    if not 1 <= number <= maximum:
        raise exceptions.ValidationError({name: [message]})
    return number


class ClientRateThrottle(SimpleRateThrottle):
    """One budget per API token (or per user for browser sessions, per address otherwise)."""

    scope = "client"

    def allow_request(self, request, view) -> bool:
        # The budget lives in the cache (Redis in production). A cache outage
        # must not take the whole API down with it: serve unthrottled and say so.
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("API throttle skipped: the cache is unreachable.", exc_info=True)
            return True

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


# The ``code`` of an error that no business rule named: DRF's own names for its
# exceptions (stable, English, whatever language ``detail`` speaks).
VALIDATION_CODE = exceptions.ValidationError.default_code  # "invalid"
STATUS_CODES = {
    400: VALIDATION_CODE,
    401: exceptions.NotAuthenticated.default_code,  # "not_authenticated"
    403: exceptions.PermissionDenied.default_code,  # "permission_denied"
    404: exceptions.NotFound.default_code,  # "not_found"
    405: exceptions.MethodNotAllowed.default_code,  # "method_not_allowed"
    406: exceptions.NotAcceptable.default_code,  # "not_acceptable"
    413: "too_large",
    415: exceptions.UnsupportedMediaType.default_code,  # "unsupported_media_type"
    429: exceptions.Throttled.default_code,  # "throttled"
    500: "server_error",
}


def error_code(exc: Exception) -> str:
    """The stable ``code`` of a DRF exception: its own code, else its status's."""
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            return codes
        return STATUS_CODES.get(exc.status_code, VALIDATION_CODE)
    return VALIDATION_CODE


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ConflictError):  # a version conflict: hand back the current state
        body: dict[str, Any] = {"detail": str(exc), "code": exc.code}
        if exc.current_data is not None:  # serialized by the domain app's API layer
            body["current"] = exc.current_data
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        body = {"detail": str(exc), "code": exc.code}
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
        # A permission fetcher's message says which right is missing.
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("Invalid input."),
            "code": VALIDATION_CODE,
            "errors": _flatten(exc.detail),
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "code": error_code(exc)}
    return response


def body_id(request, name: str) -> int | None:
    """The id named ``name`` in the JSON body if it is a usable one, else None.

    For creating in a container named by the body (a task in ``project``, a
    project in ``team``): the view authorises against the container before it
    validates the rest, and a missing or malformed id is left to the
    serializer to report.
    """
    data = request.data
    if not isinstance(data, dict) or name not in data:
        return None
    # The same rule as the serializers' id fields, so both read one value alike.
    field = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    try:
        return field.run_validation(data[name])
    except exceptions.ValidationError:
        return None


def is_schema_generation(view) -> bool:
    """drf-spectacular calls ``get_queryset`` without a user or URL kwargs to learn the model."""
    return getattr(view, "swagger_fake_view", False)


_DETAIL = {"type": "string", "description": "What went wrong, in the user's language."}
_CODE = {
    "type": "string",
    "description": (
        "A stable English name of the error, the same in every language: `invalid` or "
        "`parse_error` (400), `not_authenticated` or `authentication_failed` (401), "
        "`permission_denied` (403), `not_found` (404), `method_not_allowed` (405), "
        "`not_acceptable` (406), `unsupported_media_type` (415), `throttled` (429), "
        "`conflict` (409); a refused business rule has its own (`wip_limit`, "
        "`review_required`, `not_in_review`, `archived`, …)."
    ),
}
ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": _DETAIL, "code": _CODE},
        "required": ["detail", "code"],
    },
    "ValidationError": {
        "type": "object",
        "description": "Invalid input, or a business rule refused the request.",
        "properties": {
            "detail": _DETAIL,
            "code": _CODE,
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Messages per input field (`non_field_errors` for the whole body).",
            },
        },
        "required": ["detail", "code"],
    },
    # Only for a 409 whose operation did not name its own shape (tasks name
    # theirs: ``current`` is then a Task).
    "Conflict": {
        "type": "object",
        "properties": {
            "detail": _DETAIL,
            "code": _CODE,
            "current": {
                "type": "object",
                "additionalProperties": True,
                "description": "The object as it is now.",
            },
        },
        "required": ["detail", "code"],
    },
}
ERROR_RESPONSES = {
    "400": ("Invalid input, or a business rule refused the request.", "ValidationError"),
    "401": ("Missing, malformed, revoked or expired credentials.", "Error"),
    "403": ("Authenticated, but your role may not do this.", "Error"),
    "404": ("Not found, or not visible to you.", "Error"),
    "405": ("Method not allowed.", "Error"),
    "406": ("Only application/json is produced.", "Error"),
    "415": ("Only application/json is accepted.", "Error"),
    "429": ("Too many requests: wait for the number of seconds in Retry-After.", "Error"),
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _json(component: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing: document the JSON error bodies on every operation.

    An operation's own description of an error status is kept; its body is
    the shared one unless the operation named its own (a task's 409).
    """
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, (description, component) in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description})
                responses[code].setdefault("content", _json(component))
            responses["429"].setdefault("headers", RETRY_AFTER)
            if "409" in responses:
                responses["409"].setdefault("content", _json("Conflict"))
    return result
