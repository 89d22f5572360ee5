"""/api/v1/: every app's API routes, plus the OpenAPI schema and its viewers."""

import functools
import re
from pathlib import Path

import drf_spectacular_sidecar
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from config.api_schema import SchemaView

# The two documentation viewers are third-party apps that set inline styles
# (and ReDoc runs a blob: worker). Only these pages get that allowance; their
# scripts still come from our own static files.
DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

REDOC_BUNDLE = (
    Path(drf_spectacular_sidecar.__file__).parent
    / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)
# ReDoc's sidebar footer always loads its vendor's logo from cdn.redoc.ly; the
# docs must request nothing from outside, so the served bundle renders no logo.
REDOC_LOGO = re.compile(r'\w+\?\w+\.createElement\("img",\{alt:"redocly logo"[^}]*\}\):null')


@functools.cache
def redoc_bundle_source() -> bytes:
    source, found = REDOC_LOGO.subn("null", REDOC_BUNDLE.read_text(encoding="utf-8"))
    if found != 1:  # a sidecar upgrade changed the bundle: fail loudly, not online
        raise RuntimeError(f"ReDoc's outside logo not found once in {REDOC_BUNDLE}")
    return source.encode()


@require_GET
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(redoc_bundle_source(), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class RedocView(SpectacularRedocView):
    """ReDoc with the bundle above (templates/drf_spectacular/redoc.html)."""

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("api-redoc-bundle")


urlpatterns = [
    path("v1/", include("accounts.api.urls")),
    path("v1/", include("teams.api.urls")),
    path("v1/", include("projects.api.urls")),
    path("v1/", include("tasks.api.urls")),
    path("v1/", include("integrations.api.urls")),
    path("v1/", include("analytics.api.urls")),
    path("v1/", include("notifications.api.urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the
    # page needs no inline script under our Content-Security-Policy.
    path(
        "docs/",
        csp_update(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "redoc/",
        csp_update(DOCS_CSP)(RedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    path("redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
]
