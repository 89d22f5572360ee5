"""Pages of the projects context: permission matrix and behaviour."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Column, Project
from tests.conftest import persona_matrix
from tests.projects.factories import ProjectFactory

# (url name, kwargs builder) → expected status per persona for a GET.
PAGES = {
    "dashboard": lambda f: reverse("dashboard"),
    "team_detail": lambda f: reverse("team_detail", args=[f["team"].pk]),
    "project_create": lambda f: reverse("project_create", args=[f["team"].pk]),
    "project_settings": lambda f: reverse("project_settings", args=[f["project"].pk]),
}

GET_MATRIX = {
    #                  anonymous staff mentor intern outsider
    "dashboard": (302, 200, 200, 200, 200),
    "team_detail": (302, 200, 200, 200, 404),
    "project_create": (302, 200, 200, 403, 404),
    "project_settings": (302, 200, 200, 403, 404),
}


@pytest.mark.parametrize(
    ("page", "persona_name", "expected"),
    persona_matrix(GET_MATRIX),
)
def test_page_permission_matrix(client, persona, team, project, page, persona_name, expected):
    persona(persona_name)
    response = client.get(PAGES[page]({"team": team, "project": project}))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def _column_urls(project, column):
    return {
        "column_create": (
            reverse("column_create", args=[project.pk]),
            {"name": "QA", "category": "review"},
        ),
        "column_update": (
            reverse("column_update", args=[project.pk, column.pk]),
            {"name": "Renamed", "category": column.category},
        ),
        "column_move": (reverse("column_move", args=[project.pk, column.pk]), {"position": 2}),
        "column_delete": (reverse("column_delete", args=[project.pk, column.pk]), {}),
        "project_archive": (reverse("project_archive", args=[project.pk]), {"archived": "1"}),
        "project_settings": (
            reverse("project_settings", args=[project.pk]),
            {"name": "Renamed", "key": "WEB", "description": "", "review_required": "on"},
        ),
    }


POST_MATRIX = {
    #                  anonymous staff mentor intern outsider
    "column_create": (302, 302, 302, 403, 404),
    "column_update": (302, 302, 302, 403, 404),
    "column_move": (302, 302, 302, 403, 404),
    "column_delete": (302, 302, 302, 403, 404),
    "project_archive": (302, 302, 302, 403, 404),
    "project_settings": (302, 302, 302, 403, 404),
}


@pytest.mark.parametrize(
    ("action", "persona_name", "expected"),
    persona_matrix(POST_MATRIX),
)
def test_project_write_permission_matrix(client, persona, project, action, persona_name, expected):
    # An extra empty todo column so deleting it is allowed for those who may.
    column = Column.objects.create(project=project, name="Extra", category="todo", position=5)
    before = (
        list(Column.objects.filter(project=project).values_list("name", "position", "category")),
        Project.objects.values_list("name", "archived").get(pk=project.pk),
    )
    user = persona(persona_name)
    url, data = _column_urls(project, column)[action]
    response = client.post(url, data)
    assert response.status_code == expected
    after = (
        list(Column.objects.filter(project=project).values_list("name", "position", "category")),
        Project.objects.values_list("name", "archived").get(pk=project.pk),
    )
    allowed = user is not None and expected == 302
    assert (after != before) == allowed


def test_htmx_column_action_answers_with_the_columns_partial(client, mentor, project):
    client.force_login(mentor)
    response = client.post(
        reverse("column_create", args=[project.pk]),
        {"name": "QA", "category": "review"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="columns">')
    assert "<html" not in body
    assert "QA" in body


def test_refused_htmx_column_action_shows_the_reason_and_changes_nothing(client, mentor, project):
    client.force_login(mentor)
    done = Column.objects.get(project=project, category="done")
    response = client.post(
        reverse("column_delete", args=[project.pk, done.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "at least one" in response.content.decode()
    assert Column.objects.filter(pk=done.pk).exists()


def test_refused_plain_column_action_redirects_with_a_message(client, mentor, project):
    client.force_login(mentor)
    done = Column.objects.get(project=project, category="done")
    response = client.post(reverse("column_delete", args=[project.pk, done.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("project_settings", args=[project.pk])
    assert "at least one" in response.content.decode()


def test_invalid_column_form_is_a_400_with_field_errors(client, mentor, project):
    client.force_login(mentor)
    response = client.post(
        reverse("column_create", args=[project.pk]),
        {"name": "", "category": "nope", "wip_limit": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert Column.objects.filter(project=project).count() == 5


def test_column_of_another_project_answers_404(client, mentor, project):
    foreign = ProjectFactory(key="ELSE")
    foreign_column = foreign.columns.first()
    client.force_login(mentor)
    response = client.post(
        reverse("column_update", args=[project.pk, foreign_column.pk]),
        {"name": "Hijacked", "category": foreign_column.category},
    )
    assert response.status_code == 404
    foreign_column.refresh_from_db()
    assert foreign_column.name != "Hijacked"


def test_htmx_posts_need_the_csrf_token(mentor, project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    response = client.post(
        reverse("column_create", args=[project.pk]),
        {"name": "QA", "category": "review"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert Column.objects.filter(project=project).count() == 5


def test_mentor_creates_a_project_with_default_columns(client, mentor, team):
    client.force_login(mentor)
    response = client.post(
        reverse("project_create", args=[team.pk]),
        {"name": "Mobile", "key": "mob", "description": "", "review_required": "on"},
    )
    created = Project.objects.get(team=team, key="MOB")
    assert response.status_code == 302
    assert response["Location"] == reverse("project_settings", args=[created.pk])
    assert created.columns.count() == 5


def test_project_form_ignores_a_team_sent_by_the_client(client, mentor, team, other_team):
    client.force_login(mentor)
    client.post(
        reverse("project_create", args=[team.pk]),
        {"name": "Sneaky", "key": "SNK", "team": other_team.pk},
    )
    assert Project.objects.get(key="SNK").team == team


def test_duplicate_key_is_a_form_error(client, mentor, team, project):
    client.force_login(mentor)
    response = client.post(
        reverse("project_create", args=[team.pk]), {"name": "Again", "key": project.key}
    )
    assert response.status_code == 400
    assert "key" in response.context["form"].errors


def test_removed_member_loses_access_on_the_next_request(client, intern, team):
    import datetime

    from django.utils import timezone

    from teams.models import Membership

    client.force_login(intern)
    assert client.get(reverse("team_detail", args=[team.pk])).status_code == 200
    Membership.objects.filter(user=intern, team=team).update(
        left_on=timezone.localdate() - datetime.timedelta(days=0)
    )
    assert client.get(reverse("team_detail", args=[team.pk])).status_code == 404


def test_dashboard_lists_only_my_teams_and_active_projects(client, intern, project, other_team):
    ProjectFactory(team=other_team, name="Foreign project", key="FOR")
    ProjectFactory(team=project.team, name="Old project", key="OLD", archived=True)
    client.force_login(intern)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Web shop" in body
    assert "Foreign project" not in body
    assert "Old project" not in body


@pytest.mark.parametrize("size", [1, 12])
def test_dashboard_runs_a_constant_number_of_queries(
    client, mentor, team, size, django_assert_num_queries
):
    for n in range(size):
        ProjectFactory(team=team, key=f"K{n}")
    client.force_login(mentor)
    # session, user, teams, projects, my tasks, review queue, and analytics' at-risk
    # panel (mentors a team?, their interns: none here, so no metrics are read)
    with django_assert_num_queries(8):
        client.get(reverse("dashboard"))
