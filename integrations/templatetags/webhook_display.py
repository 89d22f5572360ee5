"""Template filters for the webhook pages."""

from __future__ import annotations

from django import template

from integrations.delivery_errors import describe_delivery_error

register = template.Library()


@register.filter
def delivery_error(error: str) -> str:
    return describe_delivery_error(error)
