"""What an API write may change, read in one go: the permission matrices of every app's
``test_api.py`` compare it before and after a request (a refusal changes nothing)."""

from __future__ import annotations

from projects.models import Column, Project
from tasks.models import Comment, Review, Task
from teams.models import Membership, Team


def snapshot():
    return (
        sorted(Task.objects.values_list("pk", "title", "column_id", "archived", "version")),
        Comment.objects.count(),
        Review.objects.count(),
        sorted(Project.objects.values_list("pk", "name")),
        sorted(Column.objects.values_list("pk", "name", "wip_limit")),
        sorted(Membership.objects.values_list("pk", "role", "left_on")),
        sorted(Team.objects.values_list("pk", "name")),
    )
