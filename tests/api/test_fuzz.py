"""Schemathesis over our own OpenAPI schema, authenticated as an intern with a token.

For every operation, generated requests (valid and invalid) must never get a
5xx, and responses must match the schema. Nothing of another team may leak:
every text field of the foreign team's objects (team and project names, task
titles and descriptions, comments, labels, its members' names) carries a
marker that must not appear in any response.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from accounts.services import api_token_create
from tasks.services import comment_create, label_create
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import make_task
from tests.teams.factories import MembershipFactory, TeamFactory

MARKER = "zz-foreign-marker"
EXAMPLES_PER_OPERATION = 12
# Every conformance check except "schema-valid data must be accepted": business
# rules (a WIP limit, dates in order, review only from a review column)
# rightly refuse requests that the schema alone cannot rule out.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]


def _foreign_world(cohort) -> None:
    team = TeamFactory(cohort=cohort, name=f"{MARKER} team", description=MARKER)
    outsider = MembershipFactory(
        team=team, role="mentor", user__full_name=MARKER, user__username="zz_foreign"
    ).user
    project = ProjectFactory(team=team, key="ZZZ", name=f"{MARKER} project", description=MARKER)
    task = make_task(project, outsider, title=f"{MARKER} task", description=MARKER)
    comment_create(task=task, by=outsider, body=MARKER)
    label_create(project=project, by=outsider, name=MARKER)


@pytest.fixture
def keep_test_connection():
    """Requests go straight to the WSGI app, not through Django's test client, so
    stop Django closing the test's database connection at the end of each
    request (the test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_generated_requests_get_no_5xx_match_the_schema_and_leak_nothing(settings):
    membership = MembershipFactory(role="intern")
    intern = membership.user
    _foreign_world(membership.team.cohort)
    own = ProjectFactory(team=membership.team, key="OWN")
    make_task(own, intern, title="Own task", assignee=intern)
    _, token = api_token_create(user=intern, name="fuzz", expires_in_days=None)
    headers = {"Authorization": f"Bearer {token}"}
    # The throttle would turn a long fuzz run into 429s; it has its own test.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        try:
            _fuzz(operation, headers)()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - gather them all
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:1500]}")
    assert failures == [], "\n\n".join(failures)


def _fuzz(operation, headers: dict[str, str]):
    """A Hypothesis test of one operation (a factory, so each binds its own operation)."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{operation.label}: {response.status_code} {response.text[:300]}"
        )
        case.validate_response(response, checks=CHECKS, headers=headers)
        assert MARKER not in response.text, f"{operation.label} leaked another team's data"

    return check
