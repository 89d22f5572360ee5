"""Query-string filters whose validation matches what the OpenAPI schema declares.

django-filter's ``NumberFilter`` accepts decimals (``1.5``) and documents
itself as a bare ``number``; its ``BooleanFilter`` quietly ignores anything
but a few spellings, so ``archived=5`` answered 200 with the filter off.
These refuse what the schema rules out, with a 400 naming the parameter.
``FilterBackend`` (the API's default) applies them to ``filterset_fields``
too, and ``FilterSchema`` documents a filter's ``max_length``.
"""

from __future__ import annotations

import re

import django_filters
import django_filters.rest_framework
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.utils import extend_schema_field

# The largest PostgreSQL bigint, our primary keys (as config.api.MAX_ID; not
# imported from there: DRF loads this module while config.api may be loading).
MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


class IdField(forms.IntegerField):
    """A whole number from 1 to ``MAX_ID`` in ASCII digits.

    Django's own field also takes ``1.0`` and non-ASCII digits (``int("١")``),
    which the schema's ``integer`` does not allow.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value and not _INTEGER.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    """Filter by the id of a related row: a positive integer, else a 400."""

    field_class = IdField


class StrictBooleanField(forms.Field):
    """Exactly ``true`` or ``false``, as OpenAPI writes a boolean in a query string."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Use true or false.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value in {"true", "false"}:
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(django_filters.rest_framework.FilterSet):
    """What ``filterset_fields`` generates: ids and booleans as strict as the above.

    django-filter's own ``ModelChoiceFilter`` for a foreign key checks the id
    against the whole table: 400 for a missing id, 200 for any existing one,
    visible or not, which told a user which ids exist.
    """

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class FilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    filterset_base = FilterSet


class FilterSchema(DjangoFilterExtension):
    """drf-spectacular's description of our filters, plus their ``max_length``."""

    target_class = FilterBackend
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        max_length = filter_field.extra.get("max_length")
        if max_length is not None:
            for parameter in parameters:
                parameter["schema"]["maxLength"] = max_length
        return parameters
