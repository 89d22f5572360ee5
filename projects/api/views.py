"""Projects and their columns over the API: the same selectors, services and
permission predicates as the settings pages."""

from __future__ import annotations

from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import body_id, is_schema_generation
from projects import selectors, services
from projects.api.filters import ProjectFilter
from projects.api.serializers import (
    ColumnSerializer,
    ColumnUpdateSerializer,
    ColumnWriteSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from projects.models import Column, Project
from projects.permissions import (
    can_create_projects,
    get_column_of_project,
    get_project_for_management,
    get_project_for_user,
)
from projects.services import MAX_COLUMNS
from teams.permissions import get_team_for_management


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("List projects"),
        description=gettext_lazy(
            "Projects of your teams (staff: all), archived ones included, paginated; "
            "filter by `team` and `archived`."
        ),
    ),
)
class ProjectListView(generics.ListAPIView):
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def get_queryset(self):
        if is_schema_generation(self):
            return Project.objects.none()
        return selectors.projects_for_user(self.request.user, include_archived=True).order_by("id")

    @extend_schema(
        summary=gettext_lazy("Create a project"),
        description=gettext_lazy(
            "Mentors of the team and staff: a project with the default board columns "
            "(Backlog, To do, In progress, Review, Done)."
        ),
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer},
    )
    def post(self, request: Request) -> Response:
        # Authorise before validating, so that what the body holds (which team
        # ids exist, which rules a value breaks) tells a refused user nothing.
        if not can_create_projects(request.user):
            raise PermissionDenied(_("Only mentors and staff can create projects."))
        team_id = body_id(request, "team")
        try:
            team = get_team_for_management(request.user, team_id) if team_id else None
        except Http404:  # reported with the body's other problems, below
            team = None
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("team")
        if team is None:  # unknown or another team's: the same answer, nothing leaks
            raise ValidationError({"team": [_("Unknown team.")]})
        project = services.project_create(team=team, by=request.user, **fields)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(generics.GenericAPIView):
    serializer_class = ProjectSerializer

    @extend_schema(
        summary=gettext_lazy("Read a project"),
        description=gettext_lazy("One project of your teams."),
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProjectSerializer(get_project_for_user(request.user, pk)).data)

    @extend_schema(
        summary=gettext_lazy("Change a project"),
        description=gettext_lazy(
            "Mentors of the team and staff: send only the settings that change; "
            "`archived` archives or restores the project."
        ),
        request=ProjectUpdateSerializer,
        responses={200: ProjectSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        project = get_project_for_management(request.user, pk)
        data = ProjectUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        archived = changes.pop("archived", None)
        if changes:
            project = services.project_update(project=project, by=request.user, **changes)
        if archived is not None:
            project = services.project_set_archived(
                project=project, by=request.user, archived=archived
            )
        return Response(ProjectSerializer(project).data)


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("List a project's columns"),
        description=format_lazy(
            gettext_lazy(
                "The board's columns in order, as a bare JSON array: the one list of the "
                "API that is not paginated (a board has at most {count} columns)."
            ),
            count=MAX_COLUMNS,
        ),
    ),
)
class ColumnListView(generics.ListAPIView):
    serializer_class = ColumnSerializer
    pagination_class = None  # a board has at most MAX_COLUMNS columns

    def get_queryset(self):
        if is_schema_generation(self):
            return Column.objects.none()
        return selectors.project_columns(get_project_for_user(self.request.user, self.kwargs["pk"]))

    @extend_schema(
        summary=gettext_lazy("Add a column"),
        description=gettext_lazy("Mentors of the team and staff: a column at the board's end."),
        request=ColumnWriteSerializer,
        responses={201: ColumnSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        project = get_project_for_management(request.user, pk)
        data = ColumnWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        column = services.column_create(project=project, by=request.user, **data.validated_data)
        return Response(ColumnSerializer(column).data, status=status.HTTP_201_CREATED)


class ColumnDetailView(generics.GenericAPIView):
    serializer_class = ColumnSerializer

    @extend_schema(
        summary=gettext_lazy("Read a column"),
        description=gettext_lazy("One column of a project of your teams."),
    )
    def get(self, request: Request, pk: int, column_pk: int) -> Response:
        project = get_project_for_user(request.user, pk)
        return Response(ColumnSerializer(get_column_of_project(project, column_pk)).data)

    @extend_schema(
        summary=gettext_lazy("Change a column"),
        description=gettext_lazy(
            "Mentors of the team and staff: its name, category, WIP limit or place "
            "(`position`, 0-based)."
        ),
        request=ColumnUpdateSerializer,
        responses={200: ColumnSerializer},
    )
    def patch(self, request: Request, pk: int, column_pk: int) -> Response:
        project = get_project_for_management(request.user, pk)
        column = get_column_of_project(project, column_pk)
        data = ColumnUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        position = changes.pop("position", None)
        if changes:
            column = services.column_update(column=column, by=request.user, **changes)
        if position is not None:
            column = services.column_move(column=column, by=request.user, position=position)
        return Response(ColumnSerializer(column).data)

    @extend_schema(
        summary=gettext_lazy("Delete a column"),
        description=gettext_lazy(
            "Mentors of the team and staff: only an empty column, and not the last of its category."
        ),
        responses={204: None},
    )
    def delete(self, request: Request, pk: int, column_pk: int) -> Response:
        project = get_project_for_management(request.user, pk)
        services.column_delete(column=get_column_of_project(project, column_pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
