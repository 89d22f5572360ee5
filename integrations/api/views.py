"""Webhook endpoints under /api/v1/projects/{project_id}/webhooks/ (thin: services do the work).

Every view resolves the project first (``get_project_for_webhooks``): another
team's project answers 404, an intern of the team 403; staff and the team's
mentors pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import is_schema_generation
from integrations import selectors, services
from integrations.api.serializers import (
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from integrations.models import Webhook, WebhookDelivery
from integrations.permissions import get_project_for_webhooks, get_webhook_of_project

if TYPE_CHECKING:
    from projects.models import Project

TAGS = ["webhooks"]


class _ProjectWebhooksMixin:
    # Resolves ``self.project`` once authentication and throttling have passed
    # (a comment, not a docstring: the schema would show it as every view's text).

    project: Project

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.project = get_project_for_webhooks(request.user, kwargs["project_id"])


@extend_schema_view(
    get=extend_schema(tags=TAGS, summary="List a project's webhooks"),
    post=extend_schema(
        tags=TAGS,
        summary="Add a webhook",
        request=WebhookCreateSerializer,
        responses={201: WebhookSerializer},
    ),
)
class WebhookListView(_ProjectWebhooksMixin, generics.ListCreateAPIView):
    """Webhooks receive a signed POST for each chosen event of the project.

    Mentors of the project's team and staff only. The secret is write-only.
    """

    serializer_class = WebhookSerializer

    def get_queryset(self) -> models.QuerySet[Webhook]:
        if is_schema_generation(self):
            return Webhook.objects.none()
        return selectors.project_webhooks(self.project)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = services.webhook_create(
            project=self.project, by=request.user, **serializer.validated_data
        )
        return Response(WebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, summary="Read a webhook"),
    patch=extend_schema(
        tags=TAGS,
        summary="Change a webhook",
        description="Send only what changes. Deactivating cancels deliveries awaiting a retry.",
        request=WebhookUpdateSerializer,
        responses=WebhookSerializer,
    ),
    delete=extend_schema(
        tags=TAGS, summary="Delete a webhook and its delivery log", responses={204: None}
    ),
)
class WebhookDetailView(_ProjectWebhooksMixin, generics.GenericAPIView):
    """One webhook of the project; the secret is write-only (``secret_last4`` shows its end)."""

    serializer_class = WebhookSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Webhook:
        return get_webhook_of_project(self.project, self.kwargs["pk"])

    def get(self, request: Request, *args, **kwargs) -> Response:
        return Response(WebhookSerializer(self.get_object()).data)

    def patch(self, request: Request, *args, **kwargs) -> Response:
        webhook = self.get_object()
        serializer = WebhookUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        webhook = services.webhook_update(
            webhook=webhook, by=request.user, **serializer.validated_data
        )
        return Response(WebhookSerializer(webhook).data)

    def delete(self, request: Request, *args, **kwargs) -> Response:
        services.webhook_delete(webhook=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="List a webhook's deliveries, newest first",
        description=(
            "Each delivery is one event sent to this webhook: its status, attempt count, "
            "the outcome of the last attempt and the log of every attempt."
        ),
    ),
)
class WebhookDeliveryListView(_ProjectWebhooksMixin, generics.ListAPIView):
    """The delivery log of one webhook, newest first."""

    serializer_class = WebhookDeliverySerializer

    def get_queryset(self) -> models.QuerySet[WebhookDelivery]:
        if is_schema_generation(self):
            return WebhookDelivery.objects.none()
        webhook = get_webhook_of_project(self.project, self.kwargs["pk"])
        return selectors.webhook_deliveries_with_attempts(webhook)
