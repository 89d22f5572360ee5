"""The API move takes the task by id and asks the user's right on the rows it locks
(services.task_move_checked): with a valid body the answers are the same as reading the
task first, and nothing changes when the move is refused. Bad bodies are
test_authorize_before_validate's."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from projects.models import Project
from tasks.models import Task
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task


def _state():
    return sorted(Task.objects.values_list("pk", "column_id", "rank", "version"))


@pytest.mark.parametrize(
    ("who", "case", "expected", "code"),
    [
        ("intern", "valid", 200, None),
        ("staff", "valid", 200, None),
        ("outsider", "valid", 404, None),
        ("outsider", "own_column", 404, None),
        ("intern", "no_such_task", 404, None),
        ("intern", "archived_project", 403, None),
        ("intern", "other_projects_column", 400, "column"),
    ],
)
def test_a_move_is_refused_by_right_as_before(
    api_as, request, project, intern, other_team, who, case, expected, code
):
    task = make_task(project, intern)
    target, pk = column(project, "In progress").pk, task.pk
    if case == "own_column":
        target = ProjectFactory(team=other_team).columns.first().pk
    elif case == "no_such_task":
        pk = task.pk + 1000
    elif case == "archived_project":
        Project.objects.filter(pk=project.pk).update(archived=True)
    elif case == "other_projects_column":
        target = ProjectFactory(team=project.team).columns.first().pk
    before = _state()
    response = api_as(who).post(
        reverse("api-task-move", args=[pk]),
        {"column": target, "position": 0, "version": task.version},
        format="json",
    )
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["column"] == target
        assert Task.objects.get(pk=task.pk).column_id == target
    else:
        assert _state() == before
    if code:
        assert response.json()["code"] == code


def test_each_move_is_judged_by_its_own_user_and_day(
    api, project, intern, mentor, outsider, staff, postgres_only
):
    """The lock that asks the right is compiled once (services._CHECKED_MOVE_COLUMNS) and
    reused for every user: each answer must still be that user's, on that day."""
    from tasks import services
    from teams.models import Membership
    from teams.querysets import membership_today

    task = make_task(project, intern)
    todo, doing = column(project, "To do").pk, column(project, "In progress").pk
    leaving = Membership.objects.get(user=intern, team=project.team)

    def move(user, target):
        api.force_login(user)
        version = Task.objects.get(pk=task.pk).version
        url = reverse("api-task-move", args=[task.pk])
        return api.post(url, {"column": target, "position": 0, "version": version}, format="json")

    assert move(intern, doing).status_code == 200
    assert move(outsider, todo).status_code == 404
    assert move(staff, todo).status_code == 200
    assert move(mentor, doing).status_code == 200
    # The last day of a membership is not a day of it (teams.querysets.active_membership_q).
    leaving.left_on = membership_today()
    leaving.save()
    before = _state()
    assert move(intern, todo).status_code == 404
    assert _state() == before
    leaving.left_on = membership_today() + datetime.timedelta(days=1)
    leaving.save()
    assert move(intern, todo).status_code == 200
    # and all of it from SQL compiled once per shape, not built per request
    for user in (intern, staff):
        shape = {"staff": user.is_staff, "active": True}
        assert services._CHECKED_MOVE_COLUMNS.compiles(shape=shape)
    assert services._MOVE_TASK_ROW.compiles(shape={"place": 0})
