"""Task attachments over the API: list, upload (multipart ``file``), download, delete.

The same fetchers, services and serving rules as the task dialog: another
team's task answers 404, a body over the cap answers 413 before it is read,
and a download carries the headers that keep any file inert
(``tasks.attachments.attachment_response``).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import UserBriefSerializer
from config.api import is_schema_generation
from tasks import attachments, selectors, services
from tasks.api.views import ERRORS
from tasks.models import Attachment
from tasks.permissions import get_task_for_user, get_task_for_work


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = UserBriefSerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(help_text="Downloads the file (same authentication).")

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "uploaded_by", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        path = attachments.api_download_path(attachment)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    # Empty files pass here so that the service refuses them with its own message.
    file = serializers.FileField(allow_empty_file=True, max_length=1000)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        super().__init__(str(attachments.too_large()))


class TaskAttachmentListView(generics.ListAPIView):
    serializer_class = AttachmentSerializer
    parser_classes = [parsers.MultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: the session's CSRF check reads the whole form,
        # so a body over the cap is refused from its Content-Length first.
        if request.method == "POST" and attachments.body_too_large(request):
            raise RequestTooLarge()
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if is_schema_generation(self):
            return Attachment.objects.none()
        task = get_task_for_user(self.request.user, self.kwargs["pk"])
        return selectors.task_attachments(task)

    @extend_schema(
        operation_id="tasks_attachments_list",
        summary=gettext_lazy("List a task's attachments"),
        description=gettext_lazy("Oldest first. Each item's `url` downloads the file."),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="tasks_attachments_upload",
        summary=gettext_lazy("Attach a file to a task"),
        description=gettext_lazy(
            "Send `multipart/form-data` with the file in the field `file`. Files of 0 bytes "
            "and files over the size cap (20 MB unless configured) are refused; a body over "
            "the cap is answered 413 before it is read. Images (PNG, JPEG, GIF, WebP) get a "
            "thumbnail in the task dialog; the history and the `attachment.created` webhook "
            "record the upload."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            **ERRORS,
            413: OpenApiResponse(description="The body is larger than the size cap."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        task = get_task_for_work(request.user, pk)
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            task=task, by=request.user, upload=data.validated_data["file"]
        )
        body = AttachmentSerializer(attachment, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TaskAttachmentDetailView(generics.GenericAPIView):
    serializer_class = AttachmentSerializer

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # A download answers with the file's own type, whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="tasks_attachments_download",
        summary=gettext_lazy("Download an attachment"),
        description=gettext_lazy(
            "The file itself. Raster images (PNG, JPEG, GIF, WebP) are sent inline; every other "
            "type, SVG and HTML included, as a download (`Content-Disposition: attachment`), "
            "always with `X-Content-Type-Options: nosniff` and a sandboxing "
            "Content-Security-Policy."
        ),
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    def get(self, request: Request, pk: int, attachment_pk: int) -> FileResponse:
        task = get_task_for_user(request.user, pk)
        return attachments.attachment_response(
            attachments.get_attachment_of_task(task, attachment_pk)
        )

    @extend_schema(
        operation_id="tasks_attachments_delete",
        summary=gettext_lazy("Delete an attachment"),
        description=gettext_lazy("Allowed to its uploader, the team's mentors and staff."),
        responses={
            204: None,
            403: OpenApiResponse(description="Neither the uploader nor a mentor of the team."),
            404: ERRORS[404],
        },
    )
    def delete(self, request: Request, pk: int, attachment_pk: int) -> Response:
        task = get_task_for_work(request.user, pk)
        attachment = attachments.get_attachment_for_delete(request.user, task, attachment_pk)
        services.attachment_delete(attachment=attachment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
