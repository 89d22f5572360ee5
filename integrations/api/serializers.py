"""Explicit API shapes for webhooks. The secret is write-only: never in a response."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from integrations.models import (
    SECRET_MAX_LENGTH,
    URL_MAX_LENGTH,
    DeliveryAttempt,
    DeliveryStatus,
    EventType,
    Webhook,
    WebhookDelivery,
)
from integrations.services import SECRET_MIN_LENGTH


def _events_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        allow_empty=False,
        help_text=_("Event types this webhook receives."),
        **kwargs,
    )


def _secret_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        min_length=SECRET_MIN_LENGTH,
        max_length=SECRET_MAX_LENGTH,
        help_text=_(
            "Key of the HMAC-SHA256 in X-Internboard-Signature. Write-only: responses "
            "show only secret_last4."
        ),
        **kwargs,
    )


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    secret_last4 = serializers.CharField(
        read_only=True, help_text=_("The last four characters of the secret.")
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "active", "secret_last4", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=URL_MAX_LENGTH,
        help_text=_("A public http(s) URL; private and loopback addresses are refused."),
    )
    # Required here (optional in the web form, which shows a generated one
    # once): the API never returns a secret, so it must come from the client.
    secret = _secret_field()
    events = _events_field()
    active = serializers.BooleanField(default=True)


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=URL_MAX_LENGTH, required=False)
    secret = _secret_field(required=False)
    events = _events_field(required=False)
    active = serializers.BooleanField(required=False)


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "ok", "status_code", "duration_ms", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.UUIDField(source="event_id", read_only=True)
    # A plain string: as an enum it would name the event-type choice set a
    # second time (next to ``Webhook.events``) in the schema.
    event_type = serializers.CharField(
        source="event.type",
        read_only=True,
        help_text=_("The event's type, one of the values a webhook's events list takes."),
    )
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempt_log = DeliveryAttemptSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "Every attempt, oldest first; one without a duration or error is still running."
        ),
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_duration_ms",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields
