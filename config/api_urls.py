"""/api/v1/: every app's API routes, plus the OpenAPI schema and its viewers."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from config.api_schema import SchemaView

# The two documentation viewers are third-party apps that set inline styles
# (and ReDoc runs a blob: worker). Only these pages get that allowance; their
# scripts still come from our own static files.
DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

urlpatterns = [
    path("v1/", include("accounts.api.urls")),
    path("v1/", include("teams.api.urls")),
    path("v1/", include("projects.api.urls")),
    path("v1/", include("tasks.api.urls")),
    path("v1/", include("integrations.api.urls")),
    path("v1/", include("analytics.api.urls")),
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
        csp_update(DOCS_CSP)(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
