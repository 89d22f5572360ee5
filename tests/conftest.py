"""Shared fixtures: the personas every permission test speaks of.

- ``team``: the team under test, with a project ``project`` (default columns);
- ``staff``: a coordinator, member of nothing;
- ``mentor`` and ``intern``: active members of ``team``;
- ``outsider``: an intern of another team in the same cohort;
- ``other_mentor``: a mentor of that other team (manages projects, just not ``team``'s).
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from teams.models import Role
from tests.accounts.factories import UserFactory
from tests.projects.factories import ProjectFactory
from tests.teams.factories import MembershipFactory, TeamFactory

PERSONAS = ("anonymous", "staff", "mentor", "intern", "outsider")
# The full cast of the security matrix (tests/security): PERSONAS plus another team's
# mentor, appended so a row reads like the older five-column tables with one more column.
ALL_PERSONAS = (*PERSONAS, "other_mentor")


def require_services() -> bool:
    """CI sets REQUIRE_SERVICES=1: a missing service is then a failure, not a skip."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


# Session-scoped, so that it is decided before any module-scoped fixture a test asks for
# (pytest sets up wider scopes first): a live server or a generated client must not be
# started on SQLite for a test that is then skipped.
@pytest.fixture(scope="session")
def postgres_only():
    if connection.vendor != "postgresql":
        if require_services():
            pytest.fail("REQUIRE_SERVICES is set but the tests are not running on PostgreSQL")
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (as .ci/run does)")


@pytest.fixture
def team(db):
    return TeamFactory(name="Web team")


@pytest.fixture
def other_team(team):
    return TeamFactory(cohort=team.cohort, name="Data team")


@pytest.fixture
def project(team):
    return ProjectFactory(team=team, name="Web shop", key="WEB")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def mentor(team):
    return MembershipFactory(team=team, role=Role.MENTOR, user__username="mentor").user


@pytest.fixture
def intern(team):
    return MembershipFactory(team=team, role=Role.INTERN, user__username="intern").user


@pytest.fixture
def outsider(other_team):
    return MembershipFactory(team=other_team, role=Role.INTERN, user__username="outsider").user


@pytest.fixture
def other_mentor(other_team):
    return MembershipFactory(team=other_team, role=Role.MENTOR, user__username="other_mentor").user


@pytest.fixture
def persona(request, client):
    """Log ``client`` in as the persona named by the test's parameter; returns the user."""

    def login(name: str):
        if name == "anonymous":
            return None
        user = request.getfixturevalue(name)
        client.force_login(user)
        return user

    return login


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(request, api):
    """``api_as("intern")`` logs the API client in as that persona (session auth); returns it."""

    def login(name: str):
        if name != "anonymous":
            api.force_login(request.getfixturevalue(name))
        return api

    return login


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis (REDIS_URL, as .ci/run exports), or a skip with the reason."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        if require_services():
            pytest.fail(f"REQUIRE_SERVICES is set but Redis at {url} does not answer")
        pytest.skip(f"needs Redis at {url} (start redis-server, as .ci/run does)")
    return url


def persona_matrix(table: dict[str, tuple[int, ...]]) -> list[tuple[str, str, int]]:
    """Flatten ``{endpoint: (status per persona in PERSONAS order)}`` for parametrize."""
    return [
        (endpoint, name, status)
        for endpoint, statuses in table.items()
        for name, status in zip(PERSONAS, statuses, strict=True)
    ]


def all_persona_matrix(table: dict[str, tuple[int, ...]]) -> list[tuple[str, str, int]]:
    """Like ``persona_matrix``, for rows of six statuses in ALL_PERSONAS order."""
    return [
        (endpoint, name, status)
        for endpoint, statuses in table.items()
        for name, status in zip(ALL_PERSONAS, statuses, strict=True)
    ]


@pytest.fixture(autouse=True)
def _reset_language():
    """Requests activate their user's language in this thread; start every test afresh."""
    from django.utils import translation

    yield
    translation.deactivate()
