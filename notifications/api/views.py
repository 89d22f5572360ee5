"""The current user's notifications over the API: the same selectors and services as the page."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import is_schema_generation
from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer, ReadAllResultSerializer
from notifications.models import Notification
from notifications.permissions import get_notification_for_user

TAGS = ["notifications"]
NOT_FOUND = {404: OpenApiResponse(description="Not found, or not yours.")}


class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationSerializer

    @extend_schema(
        operation_id="notifications_list",
        summary="List your notifications",
        description=(
            "The current user's notifications, newest first, paginated: each with its "
            "kind of event, the task's id and key, and whether it was read."
        ),
        tags=TAGS,
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if is_schema_generation(self):
            return Notification.objects.none()
        return selectors.notifications_of(self.request.user)


class NotificationReadView(APIView):
    serializer_class = NotificationSerializer

    @extend_schema(
        operation_id="notifications_mark_read",
        summary="Mark a notification read",
        description="Marks one of your notifications read (again: no change) and returns it.",
        request=None,
        responses={200: NotificationSerializer, **NOT_FOUND},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = get_notification_for_user(request.user, pk)
        notification = services.notification_mark_read(notification=notification, by=request.user)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    serializer_class = ReadAllResultSerializer

    @extend_schema(
        operation_id="notifications_mark_all_read",
        summary="Mark all your notifications read",
        description="Marks every unread notification of yours read; says how many there were.",
        request=None,
        responses={200: ReadAllResultSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(by=request.user)
        return Response(ReadAllResultSerializer({"marked": marked}).data)
