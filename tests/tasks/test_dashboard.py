"""The dashboard: a mentor's review queue and at-risk interns; an intern's recent reviews."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tasks import services
from teams.models import Membership, Role
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task
from tests.teams.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def to_review(task, by, when):
    task.refresh_from_db()
    return services.task_move(
        task=task,
        by=by,
        column=column(task.project, "Review"),
        position=None,
        version=task.version,
        at=when,
    )


def test_a_mentor_sees_their_review_queue_oldest_first(
    project, mentor, intern, other_team, outsider
):
    now = timezone.now()
    newer = make_task(project, intern, title="Newer work", assignee=intern)
    older = make_task(project, intern, title="Older work", assignee=intern)
    to_review(newer, intern, now - datetime.timedelta(hours=2))
    to_review(older, intern, now - datetime.timedelta(days=3))
    make_task(project, intern, title="Not in review", assignee=intern)
    elsewhere = ProjectFactory(team=other_team, key="ELS")
    theirs = make_task(elsewhere, outsider, title="Another team's work", assignee=outsider)
    to_review(theirs, outsider, now - datetime.timedelta(days=5))

    html = client_for(mentor).get("/").content.decode()
    queue = html[html.index("review-queue-title") : html.index("</section>")]
    assert queue.index("Older work") < queue.index("Newer work")
    assert "Not in review" not in queue
    assert "Another team's work" not in queue
    assert intern.display_name in queue
    assert f"/tasks/{older.pk}/" in queue  # one click to the task's review form
    assert "3\xa0days" in queue or "3 days" in queue


def test_an_intern_sees_no_review_queue_but_the_reviews_of_their_work(project, mentor, intern):
    task = make_task(project, intern, title="My work", assignee=intern)
    to_review(task, intern, timezone.now())
    task.refresh_from_db()
    services.review_submit(
        task=task, by=mentor, decision="request_changes", comment="Please add tests"
    )
    html = client_for(intern).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "review-queue-title" not in html
    assert "Please add tests" in html
    assert "My work" in html
    assert f"/analytics/interns/{intern.pk}/" in html


def test_a_mentor_sees_at_risk_interns_with_their_reasons(project, mentor, intern):
    make_task(
        project,
        intern,
        title="Late",
        assignee=intern,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    html = client_for(mentor).get("/").content.decode()
    panel = html[html.index("at-risk-panel") :]
    assert intern.display_name in panel[: panel.index("</section>")]
    assert "risk-overdue" in panel[: panel.index("</section>")]


def test_an_intern_gets_no_at_risk_panel(project, intern):
    assert "at-risk-panel" not in client_for(intern).get("/").content.decode()


@pytest.mark.parametrize("size", [2, 10])
def test_mentor_dashboard_queries_do_not_grow_with_the_data(
    project, mentor, intern, team, size, django_assert_num_queries
):
    for number in range(size):
        extra = MembershipFactory(team=team, role=Role.INTERN, user__username=f"i{number}").user
        task = make_task(project, extra, title=f"Work {number}", assignee=extra)
        to_review(task, extra, timezone.now() - datetime.timedelta(hours=number + 1))
    Membership.objects.update(joined_on=datetime.date(2026, 1, 5))
    client = client_for(mentor)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get("/").status_code == 200


# Session and user (2); teams, projects, mentor checks, my tasks, review queue, then
# the at-risk panel (is a mentor, memberships, 2 period aggregates, intern weeks,
# live counts, last activity, review waits): the same at both sizes.
DASHBOARD_QUERIES = 15
