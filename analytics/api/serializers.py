"""Analytics over the API: output shapes of ``analytics.selectors`` results, and the period."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def _day(**kwargs) -> serializers.DateField:
    return serializers.DateField(input_formats=["%Y-%m-%d"], **kwargs)


class PeriodQuerySerializer(serializers.Serializer):
    """``from`` and ``to`` (YYYY-MM-DD, both included); default: the last four weeks."""

    def get_fields(self) -> dict:
        # "from" is a Python keyword, so the fields are named here, not as attributes.
        return {
            "from": _day(required=False, help_text=_("First day, YYYY-MM-DD.")),
            "to": _day(required=False, help_text=_("Last day, YYYY-MM-DD (included).")),
        }

    def validate(self, attrs: dict) -> dict:
        for name in ("from", "to"):
            value = attrs.get(name)
            if value is not None and not EARLIEST <= value <= LATEST:
                raise serializers.ValidationError({name: [_("Choose a date from 2000 to 2100.")]})
        return attrs


EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class PeriodSerializer(serializers.Serializer):
    def get_fields(self) -> dict:
        return {
            "from": serializers.DateField(source="start", read_only=True),
            "to": serializers.DateField(source="end", read_only=True),
        }


class WeekPointSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("Monday of the ISO week."))
    completed = serializers.IntegerField()
    points = serializers.IntegerField()
    median_cycle_seconds = serializers.IntegerField(allow_null=True)
    median_lead_seconds = serializers.IntegerField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    first_pass_rate = serializers.FloatField(allow_null=True)
    mean_score = serializers.FloatField(allow_null=True)
    reviews_received = serializers.IntegerField()
    changes_requested = serializers.IntegerField()


class RiskFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["idle", "overdue", "throughput_drop", "review_wait"])
    message = serializers.CharField()


class InternRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField()
    full_name = serializers.CharField()


class InternMetricsSerializer(serializers.Serializer):
    intern = InternRefSerializer()
    completed = serializers.IntegerField()
    points = serializers.IntegerField()
    median_cycle_seconds = serializers.FloatField(allow_null=True)
    mean_cycle_seconds = serializers.FloatField(allow_null=True)
    median_lead_seconds = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    first_pass_rate = serializers.FloatField(allow_null=True)
    mean_score = serializers.FloatField(allow_null=True)
    reviews_received = serializers.IntegerField()
    changes_requested = serializers.IntegerField()
    overdue = serializers.IntegerField()
    wip = serializers.IntegerField()
    weekly = WeekPointSerializer(many=True, help_text=_("Throughput per ISO week of the period."))
    at_risk = RiskFlagSerializer(many=True)


class FlowDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    todo = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    review = serializers.IntegerField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.CharField()
    name = serializers.CharField()


class ProjectFlowSerializer(serializers.Serializer):
    project = ProjectRefSerializer()
    days = FlowDaySerializer(many=True)


class CycleBucketSerializer(serializers.Serializer):
    min_days = serializers.IntegerField()
    max_days = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()


class TeamAnalyticsSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team.pk")
    period = PeriodSerializer()
    computed_at = serializers.DateTimeField(allow_null=True)
    interns = InternMetricsSerializer(many=True)
    projects = ProjectFlowSerializer(many=True)
    cycle_distribution = CycleBucketSerializer(many=True)


class ReviewReceivedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    task = serializers.IntegerField(source="task_id")
    task_key = serializers.CharField(source="task.key")
    reviewer = serializers.IntegerField(source="reviewer_id", allow_null=True)
    decision = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class InternAnalyticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    computed_at = serializers.DateTimeField(allow_null=True)
    metrics = InternMetricsSerializer()
    trend = WeekPointSerializer(many=True, help_text=_("Every week of the internship."))
    reviews = ReviewReceivedSerializer(many=True)
