"""Issue 8 for projects, teams and accounts: each rule has one definition that every edge uses.

- "a project the user manages" and "a team the user manages" are fetchers (404 outside,
  403 inside without the right) shared by pages and API;
- ``project_update``/``column_update`` take partial changes with whitelisted fields;
- the project key is normalised and checked by one function; date orders by ``Model.clean``;
- templates of lower apps link to higher apps' pages only through ``config.navigation``.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.errors import DomainError
from projects import services
from projects.models import Column, Project, normalize_project_key
from projects.permissions import get_project_for_management
from teams.models import Cohort, Membership
from teams.permissions import get_team_for_management
from teams.services import membership_update
from tests.projects.factories import ProjectFactory

# --- Fetch-and-authorise -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["staff", "mentor"])
def test_managers_get_the_project_and_the_team(request, team, project, name):
    user = request.getfixturevalue(name)
    assert get_project_for_management(user, project.pk) == project
    assert get_team_for_management(user, team.pk) == team


def test_an_intern_of_the_team_is_refused_inside(intern, team, project):
    with pytest.raises(PermissionDenied):
        get_project_for_management(intern, project.pk)
    with pytest.raises(PermissionDenied):
        get_team_for_management(intern, team.pk)


@pytest.mark.parametrize("name", ["outsider", "other_mentor"])
def test_another_team_answers_like_a_missing_id(request, team, project, name):
    user = request.getfixturevalue(name)
    for fetch, pk in ((get_project_for_management, project.pk), (get_team_for_management, team.pk)):
        with pytest.raises(Http404):
            fetch(user, pk)
        with pytest.raises(Http404):
            fetch(user, 10**9)


def test_a_mentor_of_the_team_may_not_add_members_through_the_api(api_as, team, intern):
    url = reverse("api-team-members", args=[team.pk])
    response = api_as("mentor").post(url, {"user": intern.pk, "role": "mentor"}, format="json")
    assert response.status_code == 403
    assert Membership.objects.filter(team=team).count() == 2  # nothing added


# --- Partial updates -------------------------------------------------------------------


def test_project_update_changes_only_the_fields_passed(project, mentor):
    project.description = "Kept"
    project.save()
    services.project_update(project=project, by=mentor, key=" shop ")
    project.refresh_from_db()
    assert (project.key, project.name, project.description) == ("SHOP", "Web shop", "Kept")


def test_project_update_refuses_fields_outside_its_whitelist(project, mentor, other_team):
    with pytest.raises(DomainError):
        services.project_update(project=project, by=mentor, team=other_team)
    with pytest.raises(DomainError):
        services.project_update(project=project, by=mentor, archived=True)
    project.refresh_from_db()
    assert (project.team_id, project.archived) == (project.team.pk, False)


def test_project_update_checks_dates_against_the_stored_other_end(project, mentor):
    services.project_update(project=project, by=mentor, starts_on=datetime.date(2026, 6, 1))
    with pytest.raises(DomainError) as refused:
        services.project_update(project=project, by=mentor, ends_on=datetime.date(2026, 5, 1))
    assert (refused.value.code, refused.value.field) == ("dates", "ends_on")
    project.refresh_from_db()
    assert project.ends_on is None


def test_column_update_changes_only_the_fields_passed(project, mentor):
    column = Column.objects.get(project=project, name="In progress")
    services.column_update(column=column, by=mentor, wip_limit=3)
    column.refresh_from_db()
    assert (column.name, column.category, column.wip_limit) == ("In progress", "in_progress", 3)
    with pytest.raises(DomainError):
        services.column_update(column=column, by=mentor, position=0)


def test_api_patch_of_one_project_field_keeps_the_others(api_as, project):
    project.description = "Kept"
    project.save()
    url = reverse("api-project-detail", args=[project.pk])
    response = api_as("mentor").patch(url, {"ends_on": "2026-01-01"}, format="json")
    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.description, project.ends_on) == ("Kept", datetime.date(2026, 1, 1))


# --- One normalisation of keys, one date rule per model ---------------------------------


def test_the_key_is_normalised_alike_by_service_form_and_api(team, mentor, api_as, client):
    assert normalize_project_key("  web2 ") == "WEB2"
    services.project_create(team=team, by=mentor, name="One", key=" one ")
    client.force_login(mentor)
    client.post(reverse("project_create", args=[team.pk]), {"name": "Two", "key": " two "})
    api_as("mentor").post(
        reverse("api-project-list"),
        {"team": team.pk, "name": "Three", "key": " three "},
        format="json",
    )
    assert set(Project.objects.filter(team=team).values_list("key", flat=True)) >= {
        "ONE",
        "TWO",
        "THREE",
    }


def test_project_dates_are_refused_alike_by_form_and_api(team, mentor, api_as, client):
    dates = {"starts_on": "2026-06-01", "ends_on": "2026-05-01"}
    client.force_login(mentor)
    page = client.post(
        reverse("project_create", args=[team.pk]), {"name": "Late", "key": "LATE", **dates}
    )
    api = api_as("mentor").post(
        reverse("api-project-list"),
        {"team": team.pk, "name": "Late", "key": "LATE", **dates},
        format="json",
    )
    assert page.status_code == api.status_code == 400
    message = "A project cannot end before it starts."
    assert message in page.content.decode()
    assert api.json()["errors"] == {"ends_on": [message]}


def test_cohort_and_membership_dates_use_their_model_rule(api_as, team, intern):
    cohort = team.cohort
    response = api_as("staff").patch(
        reverse("api-cohort-detail", args=[cohort.pk]),
        {"ends_on": str(cohort.starts_on - datetime.timedelta(days=1))},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"ends_on": ["A cohort cannot end before it starts."]}
    membership = Membership.objects.get(user=intern, team=team)
    with pytest.raises(DomainError) as refused:
        membership_update(
            membership=membership, left_on=membership.joined_on - datetime.timedelta(days=1)
        )
    assert (refused.value.field, str(refused.value)) == (
        "left_on",
        "A member cannot leave before joining.",
    )
    assert Cohort.objects.get(pk=cohort.pk).ends_on == cohort.ends_on


# --- Lower apps' templates do not name higher apps' URLs ---------------------------------

# Apps in dependency order, lowest first (README "Architecture").
LAYERS = ("accounts", "teams", "projects", "integrations", "tasks", "analytics")


def _url_names_of(app: str) -> set[str]:
    names: set[str] = set()

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.lookup_str.startswith(f"{app}."):
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def _templates_of(owner: str) -> list[Path]:
    base = Path(settings.BASE_DIR)
    folder = base / "templates" if owner == "project-wide" else base / owner / "templates"
    return sorted(folder.rglob("*.html")) if folder.exists() else []


@pytest.mark.parametrize("owner", ["project-wide", "accounts", "teams", "projects"])
def test_templates_of_lower_apps_name_no_url_of_a_higher_app(owner):
    # Project-wide templates (the layout, error and sign-in pages) sit with accounts,
    # at the bottom: they may link to sign-in and profile pages, nothing higher.
    level = LAYERS.index("accounts" if owner == "project-wide" else owner)
    higher = set().union(*(_url_names_of(app) for app in LAYERS[level + 1 :]))
    assert {"dashboard", "board", "webhook_list"} <= higher
    named = re.compile(r"""\{%\s*url\s+['"]([\w:-]+)['"]""")
    offenders = [
        f"{path.name}: {name}"
        for path in _templates_of(owner)
        for name in named.findall(path.read_text())
        if name in higher
    ]
    assert offenders == []


def test_pages_of_lower_apps_still_link_to_the_board_webhooks_and_dashboard(
    client, mentor, team, project
):
    client.force_login(mentor)
    board, webhooks = (
        reverse("board", args=[project.pk]),
        reverse("webhook_list", args=[project.pk]),
    )
    settings_page = client.get(reverse("project_settings", args=[project.pk])).content.decode()
    team_page = client.get(reverse("team_detail", args=[team.pk])).content.decode()
    assert f'href="{board}"' in settings_page
    assert f'href="{webhooks}"' in settings_page
    assert f'href="{board}"' in team_page
    for page in (settings_page, team_page):
        assert '<a class="brand" href="/">' in page
        assert 'aria-label="Breadcrumbs"><a href="/">Dashboard</a>' in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert '<a href="/" aria-current="page">Dashboard</a>' in dashboard


def test_an_archived_project_on_the_team_page_still_links_to_its_board(client, mentor, team):
    archived = ProjectFactory(team=team, key="OLD", archived=True)
    client.force_login(mentor)
    page = client.get(reverse("team_detail", args=[team.pk])).content.decode()
    assert f'href="{reverse("board", args=[archived.pk])}"' in page
