"""Tasks over the API: the same fetchers, predicates and services as the board.

Views authorise through ``tasks.permissions`` fetchers, translate ids into
the project's own objects and call one service; a version conflict from a
service is answered 409 with the task as it is now (``TaskAPIView``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import (
    APIException,
    ParseError,
    UnsupportedMediaType,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import body_id, is_schema_generation
from config.api_schema import DeclaredPatchSchema
from projects.selectors import project_columns
from tasks import selectors, services
from tasks.api.filters import TaskFilter
from tasks.api.serializers import (
    CommentSerializer,
    MoveSerializer,
    ReviewResultSerializer,
    ReviewSerializer,
    TaskConflictSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)
from tasks.models import Comment, Task
from tasks.permissions import (
    MOVE_RELATED,
    get_project_for_new_task,
    get_task_for_review,
    get_task_for_user,
    get_task_for_work,
)
from teams.selectors import team_members

if TYPE_CHECKING:
    from projects.models import Project

ERRORS = {
    400: OpenApiResponse(description="Invalid input or a refused rule (JSON with detail/errors)."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
}
CONFLICT = {
    409: OpenApiResponse(
        TaskConflictSerializer,
        description=gettext_lazy(
            "Stale `version`: `current` holds the task as it is now; retry with its version."
        ),
    )
}
TAGS = ["tasks"]


def _fresh(request: Request, task: Task) -> Task:
    return selectors.api_tasks(request.user).get(pk=task.pk)


def _project_for_new_task(request: Request, pk: int | None) -> Project | None:
    """The project to add to; None when unknown or another team's (the body is then
    refused as a field error, so nothing leaks); 403 for a project seen but closed to the user."""
    if pk is None:
        return None
    try:
        return get_project_for_new_task(request.user, pk)
    except Http404:
        return None


def _resolve(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids into the project's own objects; an id from elsewhere is a field error."""
    resolved = dict(data)
    if "assignee" in data:
        assignee_id = data["assignee"]
        resolved["assignee"] = None
        if assignee_id is not None:
            # Looked up among the team's members only, as the board's form
            # offers them: whether some other account exists does not leak.
            member = team_members(project.team).filter(user_id=assignee_id).first()
            if member is None:
                raise ValidationError(
                    {"assignee": [_("Only a member of the team can be assigned.")]}
                )
            resolved["assignee"] = member.user
    if "labels" in data:
        wanted = set(data["labels"])
        labels = list(selectors.project_labels(project).filter(pk__in=wanted))
        if len(labels) != len(wanted):
            raise ValidationError({"labels": [_("Unknown label.")]})
        resolved["labels"] = labels
    if "column" in data:
        resolved["column"] = project_columns(project).filter(pk=data["column"]).first()
        if resolved["column"] is None:
            raise ValidationError({"column": [_("Unknown column.")]})
    return resolved


class TaskAPIView(generics.GenericAPIView):
    """A task endpoint: a version conflict answers 409 with the task as it is now."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.ConflictError) and exc.current_data is None:
            # config's exception handler builds the 409; only tasks knows the task's shape.
            exc.current_data = TaskSerializer(exc.task).data
        return super().handle_exception(exc)


class TaskListView(TaskAPIView, generics.ListAPIView):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("List tasks"),
        description=gettext_lazy(
            "Tasks of the projects you can see, paginated, by project and number unless "
            "`ordering` says otherwise. Open tasks only unless `archived` is given."
        ),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        tasks = selectors.api_tasks(self.request.user)
        if not self.request.query_params.get("archived"):  # open tasks unless asked
            tasks = tasks.filter(archived=False)
        return tasks.order_by("project_id", "number")

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Create a task"),
        description=gettext_lazy(
            "A new task at the end of the given column (by default the project's first). "
            "Any member of the project's team may create tasks."
        ),
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        # Authorise against the project before validating the rest of the body
        # (an archived project refuses whatever is sent).
        project = _project_for_new_task(request, body_id(request, "project"))
        data = TaskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("project")
        if project is None:  # unknown or another team's: the same answer, nothing leaks
            raise ValidationError({"project": [_("Unknown project.")]})
        task = services.task_create(project=project, by=request.user, **_resolve(project, fields))
        return Response(TaskSerializer(_fresh(request, task)).data, status=status.HTTP_201_CREATED)


class TaskDetailView(TaskAPIView):
    serializer_class = TaskSerializer
    schema = DeclaredPatchSchema()  # PATCH requires `version`, as the server does

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Read a task"),
        description=gettext_lazy("One task, archived or not, of a project you can see."),
    )
    def get(self, request: Request, pk: int) -> Response:
        task = get_task_for_user(request.user, pk)
        return Response(TaskSerializer(_fresh(request, task)).data)

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Change a task"),
        description=gettext_lazy(
            "Send `version` (as last read) and only the fields that change. A stale "
            "`version` is a 409 with the task as it is now."
        ),
        request=TaskUpdateSerializer,
        responses={200: TaskSerializer, **ERRORS, **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        task = get_task_for_work(request.user, pk)
        data = TaskUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _resolve(task.project, dict(data.validated_data))
        version = fields.pop("version")
        assignee = fields.pop("assignee", task.assignee)
        labels = fields.pop("labels", None)
        if labels is None:
            labels = list(task.labels.all())
        task = services.task_edit(
            task=task, by=request.user, version=version, assignee=assignee, labels=labels, **fields
        )
        return Response(TaskSerializer(_fresh(request, task)).data)

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Delete a task"),
        description=gettext_lazy(
            "Takes the task off the board. It is archived, not erased, so no work is lost."
        ),
        responses={204: None, 404: ERRORS[404]},
    )
    def delete(self, request: Request, pk: int) -> Response:
        task = get_task_for_work(request.user, pk)
        services.task_set_archived(task=task, by=request.user, archived=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskMoveView(TaskAPIView):
    serializer_class = MoveSerializer

    @extend_schema(
        operation_id="tasks_move",
        tags=TAGS,
        summary=gettext_lazy("Move a task"),
        description=gettext_lazy(
            "To `position` (0-based, as you saw the column) in `column`, with the task's "
            "`version`. A stale version is a 409 with the task as it is now; a full column "
            "(WIP limit) or a forbidden transition is a 400 with its `code`."
        ),
        request=MoveSerializer,
        responses={200: TaskSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            data = MoveSerializer(data=request.data)
            refusal: APIException | None = None if data.is_valid() else ValidationError(data.errors)
        except (ParseError, UnsupportedMediaType) as error:
            refusal = error
        if refusal is not None:
            # Authorised before the body is answered on: a user refused the move
            # gets 403 or 404 whatever the body holds.
            get_task_for_work(request.user, pk, related=MOVE_RELATED)
            raise refusal
        # The task is taken by id: the service asks the user's right of the rows it
        # locks (as get_task_for_work does), one statement fewer than reading the
        # task first. The column stays an id: the service reads it under its lock
        # and refuses one of another project as an unknown column.
        task, _left = services.task_move_checked(task_id=pk, by=request.user, **data.validated_data)
        # The service returns the task as just written (project, column, people
        # joined): only its labels are missing, not a second read of the task.
        prefetch_related_objects([task], selectors.API_TASK_LABELS)
        return Response(TaskSerializer(task).data)


class TaskCommentListView(TaskAPIView, generics.ListAPIView):
    serializer_class = CommentSerializer

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("List a task's comments"),
        description=gettext_lazy("Oldest first, paginated."),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if is_schema_generation(self):
            return Comment.objects.none()
        task = get_task_for_user(self.request.user, self.kwargs["pk"])
        return task.comments.select_related("author").order_by("created_at", "pk")

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Comment on a task"),
        description=gettext_lazy("Any member of the task's team may comment."),
        request=CommentSerializer,
        responses={201: CommentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = get_task_for_work(request.user, pk)
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(
            task=task, by=request.user, body=data.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class TaskReviewView(TaskAPIView):
    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="tasks_review",
        tags=TAGS,
        summary=gettext_lazy("Review a task"),
        description=gettext_lazy(
            "Mentors and staff, for a task in a review column: `approve` (with a score "
            "1-5) moves it to the first done column, `request_changes` back to the first "
            "in-progress column."
        ),
        request=ReviewSerializer,
        responses={201: ReviewResultSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = get_task_for_review(request.user, pk)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_submit(task=task, by=request.user, **data.validated_data)
        review.task = _fresh(request, task)
        return Response(ReviewResultSerializer(review).data, status=status.HTTP_201_CREATED)
