"""Reads about users that other apps share (they import this, never ``accounts.models``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.functions import Lower

from accounts.models import User


def all_users() -> models.QuerySet[User]:
    """Every account, for choosing one by id (staff-only API inputs)."""
    return User.objects.all()


def users_matching(*, usernames: Iterable[str], emails: Iterable[str]) -> list[User]:
    """Users whose username or email is one of these, ignoring letter case.

    Both the raw and the lower-cased values are sent: SQLite's LOWER() folds
    only ASCII, so a Cyrillic username would otherwise be missed there.
    """
    usernames, emails = set(usernames), set(emails)
    lowered = {value.lower() for value in usernames | emails}
    return list(
        User.objects.annotate(username_lower=Lower("username"), email_lower=Lower("email")).filter(
            models.Q(username__in=usernames)
            | models.Q(username_lower__in=lowered)
            | models.Q(email__in=emails)
            | models.Q(email_lower__in=lowered)
        )
    )


def user_field_max_length(name: str) -> int:
    """The longest value a user's ``name`` field holds (full_name, username, email)."""
    return User._meta.get_field(name).max_length


def validate_username(value: str) -> None:
    """Django's ValidationError unless ``value`` is a username accounts accept."""
    User.username_validator(value)
