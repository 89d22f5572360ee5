"""The header's bell: where it links and where it polls; no query (htmx loads the count)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse


def bell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notification_bell": {
            "url": reverse("notifications"),
            "poll_url": reverse("notifications_bell"),
        }
    }
