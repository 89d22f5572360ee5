"""The Django admin: every registered model's pages render; projects are made by the service."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from projects.models import Column, Project
from teams.models import Cohort, Membership, Team

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def staff_client(client, persona):
    persona("staff")
    return client


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_changelist_renders(staff_client, project, intern, app_label, model_name):
    response = staff_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


# What a coordinator gets on each admin "add" page, as the product decides it (not as
# the admin classes say): refused where rows are only made elsewhere, so that the admin
# cannot bypass the rule that makes them.
ADD_PAGE = {
    ("accounts", "apitoken"): 403,  # created by its owner on /settings/tokens/ (shown once)
    ("accounts", "outgoingemail"): 403,  # an outbox written by the services
    ("accounts", "user"): 200,
    ("auth", "group"): 200,
    ("axes", "accessattempt"): 403,  # django-axes' logs refuse adding by design
    ("axes", "accessfailurelog"): 403,
    ("axes", "accesslog"): 403,
    ("integrations", "event"): 403,  # recorded by the services, dispatched by the worker
    ("integrations", "webhook"): 403,  # mentors create them (secret shown once, URL checked)
    ("integrations", "webhookdelivery"): 403,
    ("projects", "project"): 200,  # saved through project_create (default columns)
    ("tasks", "activity"): 403,  # history is written by the task services only
    ("tasks", "attachment"): 403,  # uploaded on the task (size cap, thumbnail, history)
    # Written by the event log's consumer and the users' own pages; shown read-only.
    ("notifications", "notification"): 403,
    ("notifications", "watch"): 403,
    ("notifications", "notificationsetting"): 403,
    ("tasks", "label"): 200,
    ("tasks", "review"): 403,
    ("tasks", "task"): 403,
    ("teams", "cohort"): 200,
    ("teams", "membership"): 200,
    ("teams", "team"): 200,
}


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_add_page_renders(staff_client, app_label, model_name):
    assert (app_label, model_name) in ADD_PAGE, (
        f"{app_label}.{model_name} is registered in the admin: state in ADD_PAGE whether "
        "a coordinator may add one there"
    )

    response = staff_client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    assert response.status_code == ADD_PAGE[app_label, model_name]


@pytest.mark.parametrize(
    "model", [User, Cohort, Team, Membership, Project], ids=lambda model: model.__name__
)
def test_change_page_renders(staff_client, project, intern, model):
    obj = model.objects.order_by("pk").first()
    opts = model._meta

    response = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )

    assert response.status_code == 200


def test_changelist_search_and_filters_work(staff_client, project, intern, team):
    cases = [
        ("admin:accounts_user_changelist", {"q": "intern", "preferred_language": "en"}),
        ("admin:teams_team_changelist", {"q": "intern", "cohort__id__exact": team.cohort.pk}),
        (
            "admin:teams_membership_changelist",
            {"q": "intern", "active": "yes", "role": "intern", "team__cohort": team.cohort.pk},
        ),
        ("admin:projects_project_changelist", {"q": "WEB", "archived__exact": "0"}),
    ]
    for url_name, params in cases:
        response = staff_client.get(reverse(url_name), params)
        assert response.status_code == 200, url_name
        assert response.context["cl"].result_count == 1, url_name


def test_membership_changelist_does_not_query_per_row(
    staff_client, team, other_team, django_assert_max_num_queries
):
    from tests.teams.factories import MembershipFactory

    MembershipFactory.create_batch(3, team=team)
    url = reverse("admin:teams_membership_changelist")
    staff_client.get(url)  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as few:
        staff_client.get(url)
    MembershipFactory.create_batch(10, team=other_team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_creating_a_project_in_the_admin_gives_it_the_default_columns(staff_client, team):
    response = staff_client.post(
        reverse("admin:projects_project_add"),
        {
            "team": team.pk,
            "name": "Mobile app",
            "key": "MOB",
            "description": "",
            "starts_on": "",
            "ends_on": "",
            "review_required": "on",
        },
    )

    assert response.status_code == 302
    project = Project.objects.get(team=team, key="MOB")
    columns = list(Column.objects.filter(project=project).order_by("position"))
    assert [column.position for column in columns] == [0, 1, 2, 3, 4]
    assert [column.category for column in columns] == [
        "todo",
        "todo",
        "in_progress",
        "review",
        "done",
    ]
    assert response["Location"] == reverse("admin:projects_project_changelist")


def test_admin_refuses_a_duplicate_project_key_as_a_form_error(staff_client, project):
    response = staff_client.post(
        reverse("admin:projects_project_add"),
        {"team": project.team.pk, "name": "Again", "key": project.key, "review_required": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Project.objects.filter(key=project.key).count() == 1


def test_project_team_cannot_be_changed_in_the_admin(staff_client, project, other_team):
    url = reverse("admin:projects_project_change", args=[project.pk])

    response = staff_client.post(
        url,
        {
            "team": other_team.pk,
            "name": "Renamed",
            "key": project.key,
            "description": "",
            "review_required": "on",
            # The read-only column inline still posts its management form.
            "columns-TOTAL_FORMS": "0",
            "columns-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    team_id = project.team_id
    project.refresh_from_db()
    assert (project.name, project.team_id) == ("Renamed", team_id)


def test_admin_creates_users_without_first_and_last_name(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.intern",
            "full_name": "Новый Стажёр",
            "email": "new.intern@example.com",
            "preferred_language": "ru",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="new.intern")
    assert user.full_name == "Новый Стажёр"
    assert not user.has_usable_password()


def test_user_autocomplete_searches_full_name(staff_client, intern):
    intern.full_name = "Иван Петров"
    intern.save()

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Петров",
            "app_label": "teams",
            "model_name": "membership",
            "field_name": "user",
        },
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(intern.pk)]


def test_task_pages_in_the_admin_are_read_only_but_render_with_history(
    staff_client, project, intern, mentor
):
    from tasks.models import Activity, Review, Task
    from tasks.services import comment_create, review_submit
    from tests.tasks.factories import TaskFactory

    task = TaskFactory(
        project=project, reporter=intern, title="<b>Audited</b>", column_name="Review"
    )
    comment_create(task=task, by=intern, body="Done")
    review_submit(task=task, by=mentor, decision="approve", score=5)

    for model, obj in (
        (Task, task),
        (Review, Review.objects.get()),
        (Activity, Activity.objects.first()),
    ):
        opts = model._meta
        response = staff_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert response.status_code == 200
    body = staff_client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert "&lt;b&gt;Audited&lt;/b&gt;" in body
    assert "<b>Audited</b>" not in body
    # A POST cannot change a task behind the services' back.
    staff_client.post(reverse("admin:tasks_task_change", args=[task.pk]), {"title": "Hacked"})
    assert Task.objects.get(pk=task.pk).title == "<b>Audited</b>"
