"""Apply the signed-in user's language and time zone to every request."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Runs after AuthenticationMiddleware and LocaleMiddleware.

    LocaleMiddleware has picked a language from the cookie or Accept-Language;
    a signed-in user's saved choice wins over both, so the interface follows
    the person from browser to browser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            apply_user_preferences(user)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return self.get_response(request)


def apply_user_preferences(user) -> None:
    """Activate the user's language and time zone for the rest of this request."""
    if user.preferred_language:
        translation.activate(user.preferred_language)
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()
