"""``Authorization: Bearer <token>`` with personal API tokens (``accounts.models.ApiToken``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.middleware import apply_user_preferences

if TYPE_CHECKING:
    from accounts.models import ApiToken, User

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate a request by a personal API token; ``request.auth`` is the ``ApiToken``.

    No ``Authorization`` header, or another scheme, returns None so the next
    class (the browser session) may try. A Bearer header whose token does not
    authenticate is a 401, never a silent fall-through: a client that sent a
    token must learn that it failed.
    """

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: no token after “Bearer”.")
            )
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: the token must not contain spaces.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(
                _("Invalid API token: it contains characters a token never has.")
            ) from error

        # Imported here, as DRF's own TokenAuthentication does: DRF imports
        # this module while reading its settings, which may happen before the
        # app registry is ready to load models.
        from accounts.services import api_token_authenticate

        token = api_token_authenticate(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "Invalid API token: it is unknown, revoked or expired, or its account "
                    "is deactivated."
                )
            )
        # The middleware that applies a user's language ran before DRF knew who
        # the token belongs to; apply it now so messages speak the user's language.
        apply_user_preferences(token.user)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A value here makes DRF answer unauthenticated requests 401 with
        # this challenge instead of 403.
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, with the CSRF check run on Django's own request.

    DRF hands its ``Request`` to Django's CSRF check, whose ``request.POST``
    then parses the JSON body, so a malformed or too deeply nested body
    answered 400 before any permission was checked. Django's request leaves a
    non-form body unread: the check reads the header and cookie only, and the
    body is parsed after authorisation, as for token requests.
    """

    def enforce_csrf(self, request: Request) -> None:
        super().enforce_csrf(request._request)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the Bearer scheme in the OpenAPI schema (drf-spectacular finds it by class)."""

    target_class = "accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ib_<prefix>_<secret>",
            "description": (
                "A personal API token, created at /settings/tokens/ or with "
                "`manage.py create_api_token`."
            ),
        }


class SessionCookieScheme(SessionScheme):
    """Documents our session class as drf-spectacular documents DRF's own."""

    target_class = "accounts.api.authentication.SessionAuthentication"
