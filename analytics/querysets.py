"""Query vocabulary of the analytics read models."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce


def completion_totals() -> dict[str, models.Aggregate]:
    """Totals over completed ``TaskMetrics`` rows, for ``.values(...).annotate(**...)``.

    The one definition of how a group of completed tasks adds up: the weekly
    read model (services) and the period view (selectors) both sum with it.
    """
    return {
        "completed": models.Count("pk"),
        "points": Coalesce(models.Sum("estimate"), 0),
        "mean_cycle": models.Avg("cycle_seconds"),
        "mean_lead": models.Avg("lead_seconds"),
        "with_due": models.Count("pk", filter=models.Q(on_time__isnull=False)),
        "on_time_count": models.Count("pk", filter=models.Q(on_time=True)),
        "reviewed": models.Count("pk", filter=models.Q(first_pass__isnull=False)),
        "first_pass_count": models.Count("pk", filter=models.Q(first_pass=True)),
        "approvals_sum": Coalesce(models.Sum("approvals"), 0),
        "score_total": Coalesce(models.Sum("score_sum"), 0),
    }
