"""Who counts as a coordinator: the one definition pages, API and other apps ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def is_coordinator(user: User | AnonymousUser | None) -> bool:
    """Coordinators are active staff users; they manage users, cohorts, teams and members."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
