"""Query-string filters whose validation matches what the OpenAPI schema declares.

django-filter's ``NumberFilter`` accepts decimals (``1.5``) and documents
itself as a bare ``number``; its ``BooleanFilter`` quietly ignores anything
but a few spellings, so ``archived=5`` answered 200 with the filter off.
Its ``OrderingFilter`` read only the last of repeated parameters
(``?ordering=a&ordering=-b``, as client generators send a list). These
refuse what the schema rules out, with a 400 naming the parameter.
``FilterBackend`` (the API's default) applies them to ``filterset_fields``
too, and ``FilterSchema`` documents a filter's ``max_length`` and an
ordering's choices as a named enum.
"""

from __future__ import annotations

import re

import django_filters
import django_filters.rest_framework
import django_filters.widgets
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import ResolvedComponent, build_array_type, build_parameter_type
from drf_spectacular.utils import OpenApiParameter, extend_schema_field

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
    """Exactly ``true`` or ``false``, as OpenAPI writes a boolean in a query string.

    An absent parameter filters nothing; a present one with any other value,
    empty included (``?archived=``), is a 400 rather than a filter quietly off.
    """

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Use true or false.")}

    def to_python(self, value):
        if value is None:
            return None
        if value in {"true", "false"}:
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("help_text", _("`true` or `false`; any other value is a 400."))
        super().__init__(*args, **kwargs)


class RepeatedCSVWidget(django_filters.widgets.CSVWidget):
    """Every occurrence of the parameter, each split at commas, empty items dropped.

    Client generators send a list as repeated parameters (``?ordering=a&ordering=-b``),
    where django-filter read only the last one.
    """

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        return [item for value in values for item in str(value).split(",") if item]


class OrderingFilter(django_filters.OrderingFilter):
    """``?ordering=`` by one or more of ``fields`` (``-`` for descending), repeated or
    comma-separated; an unknown key is a 400.

    The choices are documented as the enum component ``enum_name``, each value
    with a name for generated clients (``ORDERING_DUE_ON_DESC`` for ``-due_on``).
    """

    def __init__(self, *, fields: list[str], enum_name: str, **kwargs) -> None:
        self.enum_name = enum_name
        kwargs.setdefault("widget", RepeatedCSVWidget)
        kwargs.setdefault(
            "help_text",
            _(
                "Sort keys, most significant first; a leading `-` sorts descending. Repeat "
                "the parameter (`?ordering=priority&ordering=-due_on`) or separate keys by "
                "commas."
            ),
        )
        super().__init__(fields=fields, **kwargs)

    def build_choices(self, fields, labels):
        # Labels are the keys themselves: django-filter's are translated once,
        # at import, in whatever language was active then.
        return [
            choice
            for param in fields.values()
            for choice in ((param, param), (f"-{param}", f"-{param}"))
        ]

    @staticmethod
    def value_name(value: str) -> str:
        key = value.removeprefix("-").upper()
        return f"ORDERING_{key}_DESC" if value.startswith("-") else f"ORDERING_{key}"


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
        if isinstance(filter_field, OrderingFilter):
            return [_ordering_parameter(auto_schema, field_name, filter_field)]
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        max_length = filter_field.extra.get("max_length")
        if max_length is not None:
            for parameter in parameters:
                parameter["schema"]["maxLength"] = max_length
        return parameters


def _ordering_parameter(auto_schema, name: str, filter_field: OrderingFilter) -> dict:
    """An ``OrderingFilter`` as an exploded array of its named enum component."""
    values = [value for value, _label in filter_field.extra["choices"]]
    component = ResolvedComponent(
        name=filter_field.enum_name,
        type=ResolvedComponent.SCHEMA,
        object=filter_field.enum_name,
        schema={
            "type": "string",
            "enum": values,
            "x-enum-varnames": [OrderingFilter.value_name(value) for value in values],
        },
    )
    auto_schema.registry.register_on_missing(component)
    return build_parameter_type(
        name=name,
        location=OpenApiParameter.QUERY,
        schema=build_array_type(component.ref),
        description=filter_field.extra["help_text"],
        explode=True,
        style="form",
    )
