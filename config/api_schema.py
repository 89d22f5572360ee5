"""The OpenAPI schema download, with its query parameters checked.

drf-spectacular's view put ``?version=`` into the ``Content-Disposition`` file
name as sent: a CR/LF made Django refuse the header (a 500 to anonymous
users), a quote injected another ``filename``, NUL and vertical tab broke
the response under gunicorn. ``?lang=`` went to ``translation.override`` as
sent, building and caching a translation object per distinct value. Here
both take known values only (anything else is a 400), and the file name is
fixed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
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
            return JsonResponse({"detail": _("Invalid input."), "errors": errors}, status=400)
        return super().get(request, *args, **kwargs)

    def _get_version_parameter(self, request: Request) -> None:
        # The generator needs no version: every route in the schema is v1.
        return None

    def _get_filename(self, request: Request, version: str | None) -> str:
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"internboard-api-{API_VERSION}.{suffix}"
