"""The analytics API: who sees what, strict dates, the selectors' numbers, pinned queries."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from analytics import selectors, services
from teams.models import Membership, Role
from tests.analytics.conftest import History, at
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def team_url(team, query: str = "") -> str:
    return f"/api/v1/analytics/teams/{team.pk}/{query}"


def intern_url(user, query: str = "") -> str:
    return f"/api/v1/analytics/interns/{user.pk}/{query}"


MARCH = "?from=2026-03-02&to=2026-03-15"


def build(history: History, *, tasks: int) -> None:
    # The team's page lists interns whose membership overlaps the period.
    Membership.objects.filter(user=history.intern).update(joined_on=datetime.date(2026, 2, 2))
    for number in range(tasks):
        task = history.create(at("2026-03-02", "10:00"), estimate=number % 5 + 1)
        history.move(task, "In progress", at("2026-03-03", "10:00"))
        history.move(task, "Review", at("2026-03-04", "10:00"))
        history.approve(task, at("2026-03-05", f"1{number % 10}:00"), score=number % 5 + 1)
    services.rebuild()


def test_an_intern_sees_their_own_analytics_only(intern, team):
    other = MembershipFactory(team=team, role=Role.INTERN).user
    client = client_for(intern)
    assert client.get(intern_url(intern)).status_code == 200
    assert client.get(intern_url(other)).status_code == 404
    assert client.get(team_url(team)).status_code == 403


def test_a_mentor_sees_their_teams_interns_and_not_others(mentor, intern, outsider, team):
    client = client_for(mentor)
    assert client.get(intern_url(intern)).status_code == 200
    assert client.get(intern_url(outsider)).status_code == 404
    assert client.get(team_url(team)).status_code == 200


def test_other_teams_and_missing_ones_answer_alike(other_mentor, team, intern):
    client = client_for(other_mentor)
    missing = client.get("/api/v1/analytics/teams/999999/")
    hidden = client.get(team_url(team))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.get(intern_url(intern)).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=junk", "from"),
        ("?to=2026-13-01", "to"),
        ("?from=01.03.2026", "from"),
        ("?from=2026-03-10&to=2026-03-01", "from"),
        ("?from=2020-01-01&to=2026-03-01", "to"),  # longer than ANALYTICS_MAX_RANGE_DAYS
        ("?from=1900-01-01&to=1900-01-02", "from"),
    ],
)
def test_bad_dates_are_400_naming_the_parameter(mentor, team, query, field):
    response = client_for(mentor).get(team_url(team, query))
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_api_returns_the_selectors_numbers(history, mentor, intern, team):
    build(history, tasks=3)
    body = client_for(mentor).get(team_url(team, MARCH)).json()
    expected = selectors.team_analytics(
        team, selectors.period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 15))
    )
    row = next(r for r in body["interns"] if r["intern"]["id"] == intern.pk)
    metrics = next(m for m in expected.interns if m.intern.pk == intern.pk)
    assert body["period"] == {"from": "2026-03-02", "to": "2026-03-15"}
    # Three tasks approved on 5 March with scores 1, 2, 3 and estimates 1, 2, 3.
    assert (row["completed"], row["points"], row["mean_score"]) == (3, 6, 2.0)
    assert row["completed"] == metrics.completed
    assert row["first_pass_rate"] == metrics.first_pass_rate == 1.0
    assert row["median_cycle_seconds"] == metrics.median_cycle_seconds
    assert [w["completed"] for w in row["weekly"]] == [3, 0]
    flow = body["projects"][0]["days"]
    assert flow[0] == {
        "day": "2026-03-02",
        "todo": 3,
        "in_progress": 0,
        "review": 0,
        "done": 0,
        "total": 3,
    }
    assert flow[3]["done"] == 3
    assert sum(bucket["count"] for bucket in body["cycle_distribution"]) == 3

    mine = client_for(intern).get(intern_url(intern, MARCH)).json()
    assert mine["metrics"]["completed"] == 3
    assert len(mine["reviews"]) == 3
    assert mine["reviews"][0]["task_key"].startswith("WEB-")


@pytest.mark.parametrize("tasks", [2, 12])
def test_query_counts_do_not_grow_with_the_data(
    history, mentor, intern, team, tasks, django_assert_num_queries
):
    build(history, tasks=tasks)
    for number in range(tasks // 2):  # more interns as the data grows
        MembershipFactory(
            team=team,
            role=Role.INTERN,
            user__username=f"more{number}",
            joined_on=datetime.date(2026, 2, 2),
        )
    team_client, intern_client = client_for(mentor), client_for(intern)
    # Team: auth (membership), team + viewer role, interns, 2 period aggregates,
    # intern weeks, live counts, last activity, review waits, projects, project
    # days, cycle distribution.
    with django_assert_num_queries(12):
        assert team_client.get(team_url(team, MARCH)).status_code == 200
    with django_assert_num_queries(10):
        assert intern_client.get(intern_url(intern, MARCH)).status_code == 200
