"""Events → notifications and e-mails, with the consumer running as after a real commit.

``committed`` runs a block of service calls and then every ``on_commit``
callback it queued (the event log's consumers, the e-mail outbox), as a
committed request would; the test database's transaction never commits.
E-mails go out at once unless a test sets a batch window.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from teams.models import Role
from tests.teams.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _no_batching(settings):
    settings.NOTIFICATION_EMAIL_BATCH_SECONDS = 0


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run


@pytest.fixture
def second_mentor(team):
    return MembershipFactory(
        team=team, role=Role.MENTOR, user__username="mentor2", user__preferred_language="en"
    ).user


@pytest.fixture
def bystander(team):
    """An intern of the team who has nothing to do with the task."""
    return MembershipFactory(team=team, role=Role.INTERN, user__username="bystander").user
