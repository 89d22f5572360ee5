"""The OpenAPI schema download, with its query parameters checked.

drf-spectacular's view put ``?version=`` into the ``Content-Disposition`` file
name as sent: a CR/LF made Django refuse the header (a 500 to anonymous
users), a quote injected another ``filename``, NUL and vertical tab broke
the response under gunicorn. ``?lang=`` went to ``translation.override`` as
sent, building and caching a translation object per distinct value. Here
both take known values only (anything else is a 400), and the file name is
fixed.

The schema is the same for every caller: English, whatever language the
requester's browser, profile or token owner speaks, so a client generated
under any account has the same names. ``?lang=ru`` asks for a copy whose
summaries and descriptions are translated; its names, enums, operation ids
and structure are still the English schema's (``stable_names`` sees to the
parts that drf-spectacular would take from translated labels). The
generator (``config.api_generator``), not the view, picks the language, so
``manage.py spectacular`` writes the same English schema too.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.http import HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request

# The one API version there is (its routes live under /api/v1/).
API_VERSION = "v1"


class SchemaView(SpectacularAPIView):
    @extend_schema(exclude=True)  # as the parent's: the schema does not describe itself
    def get(self, request: Request, *args, **kwargs) -> HttpResponseBase:
        errors: dict[str, list[str]] = {}
        version = request.query_params.get("version")
        if version is not None and version != API_VERSION:
            errors["version"] = [
                _("Unknown API version; the only one is %(version)s.") % {"version": API_VERSION}
            ]
        lang = request.query_params.get("lang")
        languages = [code for code, _name in settings.LANGUAGES]
        if lang is not None and lang not in languages:
            errors["lang"] = [
                _("Unknown language; use one of: %(languages)s.")
                % {"languages": ", ".join(languages)}
            ]
        if errors:
            # Plain JSON like every API error: this view's own renderers speak
            # only OpenAPI (YAML by default).
            return JsonResponse(
                {"detail": _("Invalid input."), "code": "invalid", "errors": errors}, status=400
            )
        return super().get(request, *args, **kwargs)

    def _get_version_parameter(self, request: Request) -> None:
        # The generator needs no version: every route in the schema is v1.
        return None

    def _get_filename(self, request: Request, version: str | None) -> str:
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"internboard-api-{API_VERSION}.{suffix}"


def _drop_titles(schema: object) -> None:
    """Remove every schema ``title`` below ``schema`` (a property named "title" stays)."""
    if isinstance(schema, dict):
        if isinstance(schema.get("title"), str):
            del schema["title"]
        for value in schema.values():
            _drop_titles(value)
    elif isinstance(schema, list):
        for item in schema:
            _drop_titles(item)


def _enum_components(schemas: dict) -> dict[frozenset, str]:
    """Each enum component by its set of values (postprocess_schema_enums names them once)."""
    return {
        frozenset(schema["enum"]): name
        for name, schema in sorted(schemas.items())
        if isinstance(schema, dict) and "enum" in schema and "properties" not in schema
    }


def _reference_enum(schema: dict, components: dict[frozenset, str]) -> dict:
    """``schema`` as a ``$ref`` to the enum component with its values, if there is one."""
    values = schema.get("enum")
    name = components.get(frozenset(values)) if values else None
    return {"$ref": f"#/components/schemas/{name}"} if name else schema


def stable_names(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing: names that no translation and no caller can change.

    Client generators name a class after a schema's ``title`` when it has
    one, and drf-spectacular sets titles from (translated) field labels, so
    titles go. A query parameter's enum (a filter's choices) points at the
    component that a serializer field's same choices already have
    (``CategoryEnum``, ``PriorityEnum``), so a typed client passes the same
    enum to the filter as it reads from a task.
    """
    schemas = result.get("components", {}).get("schemas", {})
    _drop_titles(schemas)
    components = _enum_components(schemas)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema")
                if not schema:
                    continue
                _drop_titles(schema)
                if "enum" in schema:
                    schema = parameter["schema"] = _reference_enum(schema, components)
                elif "enum" in schema.get("items", {}):
                    schema["items"] = _reference_enum(schema["items"], components)
                referenced = "$ref" in schema or "$ref" in schema.get("items", {})
                if referenced and parameter.get("description", "").startswith("* `"):
                    # Only the list of values and labels, which the component has.
                    del parameter["description"]
    return result


class DeclaredPatchSchema(AutoSchema):
    """A PATCH body documented as its serializer declares it.

    drf-spectacular documents every PATCH body as a partial one (all fields
    optional, as DRF's ``partial_update``). A view that validates PATCH with
    its own serializer (``required=False`` on what may be left out) has
    fields that the server does require, such as a task's ``version``.
    """

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        if getattr(serializer, "partial", False):
            serializer = copy.copy(serializer)
            serializer.partial = False
        return super().resolve_serializer(serializer, direction, bypass_extensions)
