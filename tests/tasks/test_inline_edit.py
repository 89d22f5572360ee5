"""Editing one field of a task in place (issue 11, item 5): ``task_edit_field``.

The task dialog and page send one field and the version they saw; the answer is
the field again (its new value and "Saved", or the refusal with what was typed
kept, and after a conflict the value as it is now). Bad input is a 400 with a
message, never a 500; another team's task is a 404; a plain POST is redirected.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tasks.forms import INLINE_FIELDS
from tasks.models import Activity, ActivityKind, Label, Task
from tasks.services import label_create, task_set_labels
from tests.conftest import persona_matrix
from tests.tasks.factories import make_task
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.usefixtures("postgres_only")

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def task(project, intern):
    return make_task(project, intern, title="Login form", description="Old text")


def url(task: Task, field: str) -> str:
    return reverse("task_edit_field", args=[task.pk, field])


def display(body: str) -> str:
    """What the answered field shows (its value), without the editor's form."""
    match = re.search(r"data-inline-display>(.*?)</div>\s*<button", body, re.S)
    assert match, body
    return match.group(1).strip()


def edit(client, task: Task, field: str, value, *, version: int | None = None, htmx=True):
    data = {"version": task.version if version is None else version, field: value}
    return client.post(url(task, field), data, **(HTMX if htmx else {}))


@pytest.mark.parametrize(
    ("persona_name", "expected"),
    [(name, status) for _page, name, status in persona_matrix({"edit": (302, 200, 200, 200, 404)})],
)
def test_who_may_edit_a_field_in_place(client, persona, task, persona_name, expected):
    persona(persona_name)
    response = edit(client, task, "title", "Renamed")
    assert response.status_code == expected
    renamed = Task.objects.get(pk=task.pk).title == "Renamed"
    assert renamed is (expected == 200)


def test_an_archived_projects_tasks_are_not_edited(client, intern, project, task):
    project.archived = True
    project.save(update_fields=["archived"])
    client.force_login(intern)
    response = edit(client, task, "title", "Renamed")
    assert response.status_code in {403, 404}
    assert Task.objects.get(pk=task.pk).title == "Login form"


@pytest.mark.parametrize(
    ("field", "value", "stored", "shown"),
    [
        ("title", "  New title  ", "New title", "New title"),
        ("description", "Line one\nLine **two**", "Line one\nLine **two**", "<strong>two</strong>"),
        ("priority", "urgent", "urgent", "Urgent"),
        ("due_on", "2031-05-04", datetime.date(2031, 5, 4), "2031"),
        ("estimate", "8", 8, "8"),
    ],
)
def test_each_field_saves_alone_and_answers_with_itself(
    client, intern, task, field, value, stored, shown
):
    client.force_login(intern)
    response = edit(client, task, field, value)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-field="{field}"' in body
    assert "Saved." in body
    assert shown in display(body)
    fresh = Task.objects.get(pk=task.pk)
    assert getattr(fresh, field) == stored
    assert fresh.version == task.version + 1
    assert f'data-version="{fresh.version}"' in body
    # Nothing else changed.
    assert fresh.title == (stored if field == "title" else "Login form")
    assert fresh.column_id == task.column_id


@pytest.mark.parametrize(("field", "value"), [("due_on", "2030-01-02"), ("estimate", "3")])
def test_an_optional_value_is_cleared_with_an_empty_input(client, intern, task, field, value):
    client.force_login(intern)
    edit(client, task, field, value)
    task.refresh_from_db()
    response = edit(client, task, field, "")
    assert response.status_code == 200
    assert display(response.content.decode()) == '<span class="muted">—</span>'
    assert getattr(Task.objects.get(pk=task.pk), field) is None


def test_assignee_is_set_and_cleared_with_a_history_line(client, intern, mentor, task):
    client.force_login(intern)
    response = edit(client, task, "assignee", mentor.pk)
    assert response.status_code == 200
    assert mentor.display_name in response.content.decode()
    fresh = Task.objects.get(pk=task.pk)
    assert fresh.assignee == mentor
    assert task.activities.filter(kind=ActivityKind.ASSIGNED).count() == 1

    response = edit(client, fresh, "assignee", "")
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).assignee is None


def test_labels_are_replaced_as_a_set(client, intern, project, task):
    bug = label_create(project=project, by=intern, name="bug")
    ui = label_create(project=project, by=intern, name="ui")
    task = task_set_labels(task=task, by=intern, labels=[bug])
    client.force_login(intern)
    response = client.post(
        url(task, "labels"), {"version": task.version, "labels": [ui.pk]}, **HTMX
    )
    assert response.status_code == 200
    assert "label-chip label-" in response.content.decode()
    assert list(Task.objects.get(pk=task.pk).labels.all()) == [ui]


def test_an_unchanged_value_writes_nothing(client, intern, task):
    client.force_login(intern)
    before = Activity.objects.filter(task=task).count()
    response = edit(client, task, "title", "Login form")
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).version == task.version
    assert Activity.objects.filter(task=task).count() == before


def test_a_stale_version_is_a_409_with_the_current_value_and_what_was_typed(
    client, intern, mentor, task
):
    from tasks.services import task_update

    current = task_update(task=task, by=mentor, version=task.version, title="Theirs")
    client.force_login(intern)
    response = edit(client, task, "title", "Mine", version=task.version)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this task" in body
    assert 'data-state="conflict"' in body
    assert '<h2 class="task-heading">Theirs</h2>' in body  # as it is now
    assert 'value="Mine"' in body  # what was typed stays in the editor
    assert f'data-version="{current.version}"' in body  # to save against next
    assert Task.objects.get(pk=task.pk).title == "Theirs"


def test_a_stale_version_is_refused_even_when_the_value_is_unchanged(client, intern, mentor, task):
    """Equal to the stored value or not, an edit of an old version is a conflict."""
    from tasks.services import task_update

    task_update(task=task, by=mentor, version=task.version, description="Changed")
    client.force_login(intern)
    response = edit(client, task, "title", "Login form", version=task.version)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("title", "   ", "This field is required."),
        ("title", "x" * 201, "at most 200 characters"),
        ("title", "bad\x00null", "Null characters are not allowed."),
        ("priority", "whenever", "Select a valid choice."),
        ("due_on", "31.02.2030", "Enter a valid date."),
        ("due_on", "99999-01-01", "Enter a valid date."),
        ("estimate", "-1", "greater than or equal to 0"),
        ("estimate", "1e9", "Enter a whole number."),
        ("estimate", "99999999999999999999", "less than or equal to"),
        ("assignee", "abc", "Select a valid choice."),
        ("assignee", "99999999", "Select a valid choice."),
        ("labels", "99999999", "Select a valid choice."),
    ],
)
def test_bad_input_is_a_400_with_the_reason(client, intern, task, field, value, message):
    client.force_login(intern)
    response = edit(client, task, field, value)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'data-state="invalid"' in body
    fresh = Task.objects.get(pk=task.pk)
    assert fresh.version == task.version
    assert fresh.title == "Login form"


@pytest.mark.parametrize("version", ["", "abc", "0", "-5", str(2**40)])
def test_a_missing_or_junk_version_is_a_400(client, intern, task, version):
    client.force_login(intern)
    response = client.post(url(task, "title"), {"version": version, "title": "New"}, **HTMX)
    assert response.status_code == 400
    assert Task.objects.get(pk=task.pk).title == "Login form"


@pytest.mark.parametrize("field", ["column", "project", "version", "rank", "archived", "number"])
def test_fields_outside_the_dialog_cannot_be_edited(client, intern, task, field):
    client.force_login(intern)
    response = edit(client, task, field, "1")
    assert response.status_code == 400
    assert "Unknown field." in response.content.decode()
    assert Task.objects.get(pk=task.pk).version == task.version


def test_a_member_of_another_team_cannot_be_assigned(client, intern, task, other_team):
    stranger = MembershipFactory(team=other_team).user
    client.force_login(intern)
    response = edit(client, task, "assignee", stranger.pk)
    assert response.status_code == 400
    assert Task.objects.get(pk=task.pk).assignee is None


def test_a_label_of_another_project_cannot_be_set(client, intern, mentor, task, other_team):
    from tests.projects.factories import ProjectFactory

    elsewhere = ProjectFactory(team=other_team, key="DAT")
    foreign = Label.objects.create(project=elsewhere, name="secret")
    client.force_login(intern)
    response = client.post(
        url(task, "labels"), {"version": task.version, "labels": [foreign.pk]}, **HTMX
    )
    assert response.status_code == 400
    assert "secret" not in response.content.decode()
    assert not Task.objects.get(pk=task.pk).labels.exists()


def test_without_javascript_a_plain_post_redirects_back_with_the_message(client, intern, task):
    client.force_login(intern)
    response = edit(client, task, "title", "Plain", htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    assert Task.objects.get(pk=task.pk).title == "Plain"
    page = client.get(response["Location"]).content.decode()
    assert "Saved." in page

    response = edit(client, task, "title", "Stale", htmx=False)  # old version now
    assert response.status_code == 302
    assert "Someone else changed this task" in client.get(response["Location"]).content.decode()
    assert Task.objects.get(pk=task.pk).title == "Plain"


def test_the_task_body_offers_each_field_in_place_and_the_page_keeps_the_whole_form(
    client, intern, task
):
    client.force_login(intern)
    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    body = client.get(reverse("task_detail", args=[task.pk]), **HTMX).content.decode()
    for html in (page, body):
        for field in INLINE_FIELDS:
            assert f'action="{url(task, field)}"' in html
        assert f'data-version="{task.version}"' in html
    assert "data-inline-fallback" in page  # the no-JavaScript form
    assert "data-inline-fallback" not in body  # htmx: task_edit.js edits in place


def test_a_reader_without_the_right_to_edit_gets_no_editors(client, project, task, staff):
    """Staff see an archived project's task but nobody edits it: no editors are offered."""
    project.archived = True
    project.save(update_fields=["archived"])
    client.force_login(staff)
    body = client.get(reverse("task_detail", args=[task.pk]), **HTMX).content.decode()
    assert "data-inline-editor" not in body
    assert 'class="task-heading">Login form<' in body


def test_user_text_in_the_answer_is_escaped(client, intern, task):
    client.force_login(intern)
    response = edit(client, task, "title", "<img src=x onerror=alert(1)>")
    body = response.content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_a_field_edit_runs_a_constant_number_of_queries(
    client, intern, project, task, django_assert_num_queries
):
    for number in range(5):
        label_create(project=project, by=intern, name=f"label {number}")
    client.force_login(intern)
    edit(client, task, "title", "Warm")  # the session and user are cached alike below
    task.refresh_from_db()
    with django_assert_num_queries(13) as first:
        edit(client, task, "title", "Once")
    task.refresh_from_db()
    for number in range(5, 25):
        label_create(project=project, by=intern, name=f"label {number}")
        MembershipFactory(team=project.team)
    with django_assert_num_queries(len(first.captured_queries)):
        edit(client, task, "title", "Twice")


@pytest.mark.django_db(transaction=True)
def test_two_in_place_edits_of_one_version_racing_leave_one_winner(project, intern, mentor):
    """Labels take no version of their own: the row lock makes the second edit wait and
    then find the version changed, so neither edit is lost silently."""
    from tests.tasks.test_concurrency import run_in_threads

    bug = label_create(project=project, by=intern, name="bug")
    task = make_task(project, intern, title="Raced")
    outcomes: list[str] = []

    def worker(n: int) -> None:
        from tasks.services import ConflictError, task_edit_field

        field, value = [("labels", [bug]), ("title", "Renamed")][n]
        try:
            task_edit_field(task=task, by=intern, version=task.version, field=field, value=value)
            outcomes.append(field)
        except ConflictError:
            outcomes.append("conflict")

    assert run_in_threads(2, worker) == []
    assert sorted(outcomes)[0] == "conflict"
    fresh = Task.objects.get(pk=task.pk)
    assert fresh.version == task.version + 1
    won = next(outcome for outcome in outcomes if outcome != "conflict")
    assert (fresh.title == "Renamed") is (won == "title")
    assert fresh.labels.exists() is (won == "labels")
