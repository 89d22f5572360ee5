"""The teams API (cohorts, teams, members): permissions, staff sync, removal, queries.

The server-date rules of memberships and the staff-only writes are in
``test_api_security.py`` next to this file.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from teams.models import Membership
from teams.services import membership_end
from tests.api.state import snapshot
from tests.conftest import persona_matrix
from tests.teams.factories import CohortFactory, MembershipFactory, TeamFactory


def read_urls(team):
    membership = Membership.objects.filter(team=team).first()
    return {
        "cohorts": reverse("api-cohort-list"),
        "cohort": reverse("api-cohort-detail", args=[team.cohort_id]),
        "teams": reverse("api-team-list"),
        "team": reverse("api-team-detail", args=[team.pk]),
        "members": reverse("api-team-members", args=[team.pk]),
        "member": reverse("api-team-member-detail", args=[team.pk, membership.pk]),
    }


READ_MATRIX = {
    #            anonymous staff mentor intern outsider
    "cohorts": (401, 200, 200, 200, 200),
    "cohort": (401, 200, 200, 200, 200),  # same cohort as the outsider's team
    "teams": (401, 200, 200, 200, 200),
    "team": (401, 200, 200, 200, 404),
    "members": (401, 200, 200, 200, 404),
    "member": (401, 200, 200, 200, 404),
}


@pytest.mark.parametrize(("endpoint", "persona_name", "expected"), persona_matrix(READ_MATRIX))
def test_read_permission_matrix(
    api_as, team, project, intern, mentor, endpoint, persona_name, expected
):
    client = api_as(persona_name)
    response = client.get(read_urls(team)[endpoint])
    assert response.status_code == expected
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert "detail" in response.json()


def write_requests(team, intern):
    membership = Membership.objects.get(team=team, user=intern)
    return {
        "member_add": (
            "post",
            reverse("api-team-members", args=[team.pk]),
            {"user": intern.pk, "role": "mentor"},
        ),
        "member_end": (
            "delete",
            reverse("api-team-member-detail", args=[team.pk, membership.pk]),
            None,
        ),
        "team_patch": (
            "patch",
            reverse("api-team-detail", args=[team.pk]),
            {"name": "Renamed team"},
        ),
    }


WRITE_MATRIX = {
    #                 anonymous staff mentor intern outsider
    "member_add": (401, 400, 403, 403, 404),  # staff: the intern is already a member
    "member_end": (401, 200, 403, 403, 404),
    "team_patch": (401, 200, 403, 403, 404),
}


@pytest.mark.parametrize(("action", "persona_name", "expected"), persona_matrix(WRITE_MATRIX))
def test_write_permission_matrix(
    api_as, team, project, intern, mentor, action, persona_name, expected
):
    method, url, data = write_requests(team, intern)[action]
    client = api_as(persona_name)  # before the snapshot: a persona may create its membership
    before = snapshot()
    response = getattr(client, method)(url, data, format="json")
    assert response.status_code == expected, response.content
    assert (snapshot() != before) == (expected < 300)


def test_staff_syncs_participants_and_removal_cuts_access(api_as, team, project, intern, staff):
    client = api_as("staff")
    created = client.post(
        reverse("api-user-list"),
        {"username": "newbie", "email": "newbie@example.com", "full_name": "New Person"},
        format="json",
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    added = client.post(
        reverse("api-team-members", args=[team.pk]),
        {"user": user_id, "role": "intern"},
        format="json",
    )
    assert added.status_code == 201
    duplicate = client.post(
        reverse("api-user-list"),
        {"username": "NEWBIE", "email": "x@example.com", "full_name": "X"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "username" in duplicate.json()["errors"]

    membership = Membership.objects.get(team=team, user=intern)
    from rest_framework.test import APIClient

    # A second client, so the intern's session lives beside the staff's.
    intern_client = APIClient()
    intern_client.force_login(intern)
    assert intern_client.get(reverse("api-project-detail", args=[project.pk])).status_code == 200
    ended = client.delete(reverse("api-team-member-detail", args=[team.pk, membership.pk]))
    assert ended.status_code == 200
    assert ended.json()["active"] is False
    assert intern_client.get(reverse("api-project-detail", args=[project.pk])).status_code == 404

    deactivated = client.post(reverse("api-user-deactivate", args=[user_id]))
    assert deactivated.json()["is_active"] is False


def test_a_token_of_a_removed_member_loses_the_team_at_once(api, team, project, intern):
    _, token = api_token_create(user=intern, name="ci", expires_in_days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = reverse("api-project-detail", args=[project.pk])
    assert api.get(url).status_code == 200
    membership_end(membership=Membership.objects.get(team=team, user=intern))
    assert api.get(url).status_code == 404
    assert api.get(reverse("api-task-list")).json()["count"] == 0
    assert api.get(reverse("api-me")).json()["memberships"] == []


@pytest.mark.parametrize("size", [2, 40])
@pytest.mark.parametrize(
    ("endpoint", "persona_name", "queries"),
    [
        # session, user, (scope fetch,) count, page (+ prefetch)
        ("teams", "staff", 4),
        ("cohorts", "staff", 4),
        ("members", "intern", 5),
    ],
)
def test_lists_run_a_constant_number_of_queries(
    api_as, team, intern, size, endpoint, persona_name, queries, django_assert_num_queries
):
    for _ in range(size):
        MembershipFactory(team=team)
        TeamFactory(cohort=CohortFactory())
    urls = {
        "teams": reverse("api-team-list"),
        "cohorts": reverse("api-cohort-list"),
        "members": reverse("api-team-members", args=[team.pk]),
    }
    client = api_as(persona_name)
    with django_assert_num_queries(queries):
        response = client.get(urls[endpoint], {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= size
