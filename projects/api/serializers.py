from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from projects.models import Column, ColumnCategory, Project, clean_project_key


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id", "team", "name", "key", "description", "starts_on", "ends_on",
            "archived", "review_required", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProjectWriteSerializer(serializers.Serializer):
    """Settings a mentor may change; the team is never among them."""

    name = serializers.CharField(max_length=120)
    key = serializers.CharField(max_length=10)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, default=""
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    review_required = serializers.BooleanField(required=False, default=True)

    def validate_key(self, value: str) -> str:
        return clean_project_key(value)  # DRF reports Django's ValidationError on the field


class ProjectCreateSerializer(ProjectWriteSerializer):
    """Creating names the team once (mentors of it and staff); it never changes later."""

    team = serializers.IntegerField(min_value=1)


class ProjectUpdateSerializer(serializers.Serializer):
    """A partial change of settings; only the fields sent change."""

    name = serializers.CharField(max_length=120, required=False)
    key = serializers.CharField(max_length=10, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    review_required = serializers.BooleanField(required=False)
    archived = serializers.BooleanField(required=False)

    validate_key = ProjectWriteSerializer.validate_key


class ColumnSerializer(serializers.ModelSerializer):
    class Meta:
        model = Column
        fields = ["id", "name", "position", "category", "wip_limit"]
        read_only_fields = fields


class ColumnWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    category = serializers.ChoiceField(choices=ColumnCategory.choices)
    wip_limit = serializers.IntegerField(
        min_value=1, max_value=999, required=False, allow_null=True, default=None
    )


class ColumnUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    category = serializers.ChoiceField(choices=ColumnCategory.choices, required=False)
    wip_limit = serializers.IntegerField(
        min_value=1, max_value=999, required=False, allow_null=True
    )
    position = serializers.IntegerField(min_value=0, max_value=100, required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(_("Nothing to change."))
        return attrs
