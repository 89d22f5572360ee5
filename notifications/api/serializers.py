from __future__ import annotations

from rest_framework import serializers

from notifications.models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    """One notification: what happened (``kind``), to which task, and whether it was read."""

    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    event = serializers.UUIDField(source="event_id", read_only=True)
    task = serializers.IntegerField(source="task_id", read_only=True)
    task_key = serializers.CharField(source="task.key", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "event",
            "task",
            "task_key",
            "task_title",
            "actor",
            "read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")
