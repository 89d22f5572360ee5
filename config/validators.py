"""Validation rules shared by every app's models."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from config.errors import DomainError

if TYPE_CHECKING:
    from django.db.models import Model


def check_date_order(
    first: datetime.date | None, last: datetime.date | None, *, field: str, message: str
) -> None:
    """ValidationError on ``field`` when ``last`` comes before ``first`` (either may be empty).

    What a model's ``clean`` uses to report its "ends after it starts" check
    constraint before a write: forms run ``clean`` through ``full_clean``,
    serializers and services call it themselves.
    """
    if first and last and last < first:
        raise ValidationError({field: ValidationError(message, code="dates")})


def clean_or_refuse(instance: Model) -> None:
    """Run ``instance.clean()`` for a service: its first problem becomes a DomainError.

    Services call this so that pages, API and admin refuse a row the same way
    the model's ``clean`` (and through it the forms) would.
    """
    try:
        instance.clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        code = next((e.code for e in error.error_dict[field] if e.code), None) or "invalid"
        raise DomainError(messages[0], code=code, field=field) from error
