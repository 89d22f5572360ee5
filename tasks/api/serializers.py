from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import UserBriefSerializer
from projects.models import ColumnCategory
from tasks.models import Comment, Priority, ReviewDecision, Task

MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


class TaskSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(
        source="column.category", choices=ColumnCategory.choices, read_only=True
    )
    labels = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id", "key", "project", "number", "title", "description", "column", "category",
            "assignee", "reporter", "priority", "labels", "estimate", "due_on", "created_at",
            "updated_at", "started_at", "completed_at", "version", "archived",
        ]  # fmt: skip
        read_only_fields = fields

    def get_labels(self, task: Task) -> list[int]:
        return [label.pk for label in task.labels.all()]


class TaskFieldsSerializer(serializers.Serializer):
    """The fields a client may set on a task; ids are checked against the project."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    assignee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    labels = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=50, required=False
    )
    estimate = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)
    due_on = serializers.DateField(allow_null=True, required=False)


class TaskCreateSerializer(TaskFieldsSerializer):
    project = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    column = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class TaskUpdateSerializer(TaskFieldsSerializer):
    """PATCH: ``version`` is the one required field; a stale one answers 409."""

    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False


class MoveSerializer(serializers.Serializer):
    column = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    position = serializers.IntegerField(
        min_value=0,
        max_value=1_000_000,
        help_text="0-based place in the column among its live tasks; past the end: the end.",
    )
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)
    before = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=(
            "Optional: the id of a task in `column` to put this one just above (what a drag "
            "and drop means). It wins over `position` while that task is a live card of "
            "`column`; otherwise `position` applies."
        ),
    )


class CommentSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"body": {"max_length": 10000}}


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    score = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    comment = serializers.CharField(max_length=10000, allow_blank=True, required=False, default="")


class ReviewResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    score = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    task = TaskSerializer(read_only=True)


class TaskConflictSerializer(serializers.Serializer):
    """The 409 body of a task write with a stale ``version``: retry from ``current``."""

    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    code = serializers.CharField(help_text="`conflict`.")
    current = TaskSerializer(help_text="The task as it is now, with its current `version`.")
