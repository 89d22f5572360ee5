"""A project's tasks as CSV, and the whole project as JSON, over the API.

The same services and downloads as the pages (``tasks.transfer_views``).
A client may ask with ``Accept: text/csv`` or anything else: the file is the
answer, and errors stay JSON like everywhere in the API.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from projects.permissions import get_project_for_management, get_project_for_user
from tasks.transfer_views import project_json_response, project_tasks_csv_response

ERRORS = {
    403: OpenApiResponse(description="An intern asking for the full export (mentors and staff)."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
}


class _FileView(APIView):
    """Answers with a file whatever the Accept header (``text/csv`` included): content
    negotiation never refuses, and a refusal is rendered as JSON, the one renderer."""

    def perform_content_negotiation(self, request: Request, force: bool = False):
        return super().perform_content_negotiation(request, force=True)


class ProjectExportCsvView(_FileView):
    @extend_schema(
        operation_id="projects_export_csv",
        summary="Export a project's tasks as CSV",
        description=(
            "Every task of the project, archived ones too, one row each: key, title, "
            "description, column, category, assignee, reporter, priority, labels, estimate, "
            "due date, created/started/completed times, cycle time in days, archived. UTF-8 "
            "with a BOM; cells that a spreadsheet would read as a formula start with an "
            "apostrophe. For everyone who sees the project."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR, 404: ERRORS[404]},
        tags=["projects"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return project_tasks_csv_response(project=get_project_for_user(request.user, pk))


class ProjectExportJsonView(_FileView):
    @extend_schema(
        operation_id="projects_export_json",
        summary="Export a whole project as JSON",
        description=(
            "The project with its columns, labels, tasks, comments, checklist items, reviews "
            "and activity, people referenced by username (listed once with e-mail and full "
            "name), and a format version. `python manage.py import_project FILE --team ID` "
            "restores it. For the team's mentors and staff."
        ),
        responses={(200, "application/json"): OpenApiTypes.OBJECT, **ERRORS},
        tags=["projects"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return project_json_response(project=get_project_for_management(request.user, pk))
