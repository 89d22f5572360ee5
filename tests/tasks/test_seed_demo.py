"""`seed_demo` builds a realistic cohort with history, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from projects.models import Project
from tasks.models import Activity, Review, Task
from teams.models import Cohort, Membership, Team


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Cohort, Team, Membership, Project, Task, Activity, Review)
    }


@pytest.mark.django_db
def test_seed_demo_creates_a_cohort_with_history_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin" in out.getvalue()
    assert "internboard" in out.getvalue()

    first = counts()
    assert first["Cohort"] == 1
    assert first["Team"] == 3
    assert Membership.objects.filter(role="mentor").count() == 6
    assert Membership.objects.filter(role="intern").count() == 15
    assert first["Project"] == 6
    per_project = Task.objects.values("project").annotate(n=Count("pk")).values_list("n", flat=True)
    assert all(40 <= n <= 80 for n in per_project)
    assert User.objects.get(username="admin").is_staff
    # Real history: every stage is populated, reviews both ways, some overdue.
    categories = set(Task.objects.values_list("column__category", flat=True))
    assert categories == {"todo", "in_progress", "review", "done"}
    assert set(Review.objects.values_list("decision", flat=True)) == {"approve", "request_changes"}
    assert Task.objects.open().filter(due_on__lt=timezone.localdate()).exists()
    oldest = Activity.objects.order_by("created_at").first().created_at
    assert (timezone.now() - oldest).days >= 40
    assert not Activity.objects.filter(created_at__gt=timezone.now()).exists()

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert counts() == first
    assert "nothing changed" in again.getvalue()
