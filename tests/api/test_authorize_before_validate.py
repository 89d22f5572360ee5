"""Write endpoints of projects and tasks authorise before they validate the body.

A user refused an action gets 403 (or 404 when the object is not visible to
them) whatever the body holds, so a 400 never tells them which ids exist or
which rules a value breaks. The body is sent with a personal API token, as a
script would.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from projects.models import Column, Project
from tasks.models import Comment, Review, Task
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task

BAD_BODIES = {
    "empty": b"{}",
    "wrong_types": (
        b'{"name": ["x"], "key": "!!", "category": 5, "wip_limit": -1, "position": "x",'
        b' "title": "", "version": 0, "column": 0, "body": "", "decision": "maybe",'
        b' "score": 99, "team": 0, "project": 0, "labels": "x"}'
    ),
    "not_an_object": b"[]",
    "malformed": b"{not json",
    "too_deep": b"[" * 200 + b"]" * 200,
}


@pytest.fixture
def task(project, intern):
    return make_task(project, intern, title="Waiting", column_name="Review", assignee=intern)


@pytest.fixture
def archived_project(team, intern):
    project = ProjectFactory(team=team, key="OLD", name="Old")
    make_task(project, intern, title="Old task", column_name="Review")
    Project.objects.filter(pk=project.pk).update(archived=True)
    return project


def requests(project, task, archived_project):
    old_task = Task.objects.get(project=archived_project)
    todo = column(project, "To do")
    return {
        # Mentor-only: settings, columns, reviews.
        "project_create": ("post", reverse("api-project-list")),
        "project_patch": ("patch", reverse("api-project-detail", args=[project.pk])),
        "column_create": ("post", reverse("api-column-list", args=[project.pk])),
        "column_patch": ("patch", reverse("api-column-detail", args=[project.pk, todo.pk])),
        "column_delete": ("delete", reverse("api-column-detail", args=[project.pk, todo.pk])),
        "review": ("post", reverse("api-task-review", args=[task.pk])),
        # Every member's, but nobody's once the project is archived.
        "task_create_archived": ("post", reverse("api-task-list")),
        "task_patch_archived": ("patch", reverse("api-task-detail", args=[old_task.pk])),
        "task_move_archived": ("post", reverse("api-task-move", args=[old_task.pk])),
        "task_delete_archived": ("delete", reverse("api-task-detail", args=[old_task.pk])),
        "comment_archived": ("post", reverse("api-task-comments", args=[old_task.pk])),
    }


# endpoint: {persona: the status whatever the body}
MATRIX = {
    "project_create": {"intern": 403, "outsider": 403},
    "project_patch": {"intern": 403, "outsider": 404, "other_mentor": 404},
    "column_create": {"intern": 403, "outsider": 404, "other_mentor": 404},
    "column_patch": {"intern": 403, "outsider": 404, "other_mentor": 404},
    "column_delete": {"intern": 403, "outsider": 404, "other_mentor": 404},
    "review": {"intern": 403, "outsider": 404, "other_mentor": 404},
    "task_create_archived": {"intern": 403, "mentor": 403},
    "task_patch_archived": {"intern": 403, "mentor": 403, "outsider": 404},
    "task_move_archived": {"intern": 403, "mentor": 403, "outsider": 404},
    "task_delete_archived": {"intern": 403, "mentor": 403, "outsider": 404},
    "comment_archived": {"intern": 403, "mentor": 403, "outsider": 404},
}
# Creating names its container in the body; a body that is no JSON object names
# none, so there is nothing to refuse and the body's own error is the answer.
NAMES_ITS_CONTAINER = {"project_create": "team", "task_create_archived": "project"}
NAMES_NOTHING = {"not_an_object", "malformed", "too_deep"}
CASES = [
    (endpoint, persona, status, body)
    for endpoint, statuses in MATRIX.items()
    for persona, status in statuses.items()
    for body in BAD_BODIES
    if not (endpoint == "task_create_archived" and body in NAMES_NOTHING)
]


def _body(name: str, endpoint: str, project, archived_project) -> bytes:
    """The bad body, naming a real container where the endpoint takes one."""
    body = BAD_BODIES[name]
    field = NAMES_ITS_CONTAINER.get(endpoint)
    if field is None or name in NAMES_NOTHING:
        return body
    pk = project.team_id if field == "team" else archived_project.pk
    named = b'"%s": %d' % (field.encode(), pk)
    if body == b"{}":
        return b"{" + named + b"}"
    return body.replace(b'"%s": 0' % field.encode(), named)


def _state():
    return (
        sorted(Task.objects.values_list("pk", "title", "column_id", "archived", "version")),
        sorted(Project.objects.values_list("pk", "name", "archived")),
        sorted(Column.objects.values_list("pk", "name", "wip_limit", "position")),
        Comment.objects.count(),
        Review.objects.count(),
    )


@pytest.mark.parametrize(("endpoint", "persona_name", "expected", "body_name"), CASES)
def test_a_refused_user_gets_403_or_404_whatever_the_body(
    request, project, task, archived_project, endpoint, persona_name, expected, body_name
):
    user = request.getfixturevalue(persona_name)
    _, token = api_token_create(user=user, name="script", expires_in_days=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    method, url = requests(project, task, archived_project)[endpoint]
    body = _body(body_name, endpoint, project, archived_project)
    before = _state()
    response = client.generic(method.upper(), url, body, content_type="application/json")
    assert response.status_code == expected, response.content
    assert set(response.json()) == {"detail", "code"}  # no field errors: nothing validated
    assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[expected]
    assert _state() == before


@pytest.mark.parametrize("body_name", ["empty", "wrong_types"])
def test_a_project_create_in_a_team_the_mentor_does_not_lead_is_403_whatever_the_body(
    api_as, project, other_team, body_name
):
    from teams.models import Role
    from tests.teams.factories import MembershipFactory

    # A mentor of one team who is an intern in another.
    user = MembershipFactory(team=other_team, role=Role.MENTOR).user
    MembershipFactory(team=project.team, role=Role.INTERN, user=user)
    body = BAD_BODIES[body_name].replace(b'"team": 0', b'"team": %d' % project.team_id)
    if body == b"{}":
        body = b'{"team": %d}' % project.team_id
    client = APIClient()
    client.force_login(user)
    response = client.post(reverse("api-project-list"), body, content_type="application/json")
    assert response.status_code == 403


def test_another_teams_project_answers_like_one_that_does_not_exist(api_as, project, other_mentor):
    """Creating in a container you cannot see: the same 400 as for a missing id."""
    client = api_as("other_mentor")
    answers = []
    for url, field, pk in (
        (reverse("api-task-list"), "project", project.pk),
        (reverse("api-task-list"), "project", 987654),
        (reverse("api-project-list"), "team", project.team_id),
        (reverse("api-project-list"), "team", 987654),
    ):
        valid = {"title": "x", "name": "x", "key": "NEWK", field: pk}
        invalid = {"title": "", "name": "", "key": "!", field: pk}
        answers.append(
            tuple(
                (response.status_code, response.json())
                for response in (
                    client.post(url, valid, format="json"),
                    client.post(url, invalid, format="json"),
                )
            )
        )
    assert answers[0] == answers[1]
    assert answers[2] == answers[3]
    assert answers[0][0][0] == 400


@pytest.mark.parametrize("body_name", ["malformed", "too_deep", "not_an_object"])
@pytest.mark.parametrize("with_csrf_token", [True, False])
def test_a_browser_session_is_refused_before_its_body_is_read(
    project, task, archived_project, intern, body_name, with_csrf_token
):
    """The CSRF check of session requests must not parse the body: it reads the
    header, so an unreadable body cannot turn a refusal into a 400."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(intern)
    headers = {}
    if with_csrf_token:
        client.get(reverse("dashboard"))  # sets the CSRF cookie, as a page would
        headers["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    _, url = requests(project, task, archived_project)["column_create"]
    before = _state()
    response = client.generic(
        "POST", url, BAD_BODIES[body_name], content_type="application/json", **headers
    )
    assert response.status_code == 403, response.content
    if not with_csrf_token:
        assert "CSRF" in response.json()["detail"]
    assert _state() == before
