"""Each metric on a hand-built history, with the expected value worked out by hand.

Local time is Europe/Moscow (UTC+3). 2026-03-02 and 2026-03-09 are Mondays.
"""

from __future__ import annotations

import datetime

import pytest

from analytics import services
from analytics.models import InternWeek, ProjectDay, TaskMetrics
from tests.analytics.conftest import at

pytestmark = pytest.mark.django_db

WEEK1 = datetime.date(2026, 3, 2)
WEEK2 = datetime.date(2026, 3, 9)
HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def weeks(intern) -> dict[datetime.date, InternWeek]:
    return {row.week: row for row in InternWeek.objects.filter(intern=intern)}


def metrics(task) -> TaskMetrics:
    return TaskMetrics.objects.get(task=task)


def test_week_boundary_is_local_sunday_2330_vs_monday_0030(history, intern):
    # Both approvals fall on Sunday in UTC (20:30 and 21:30 UTC); locally one is
    # Sunday 23:30 (week of 2 March) and the other Monday 00:30 (week of 9 March).
    sunday = history.create(at("2026-03-02", "10:00"), estimate=3)
    history.move(sunday, "In progress", at("2026-03-03", "10:00"))
    history.move(sunday, "Review", at("2026-03-08", "20:00"))
    history.approve(sunday, at("2026-03-08", "23:30"), score=4)
    monday = history.create(at("2026-03-02", "10:00"), estimate=5)
    history.move(monday, "In progress", at("2026-03-04", "12:00"))
    history.move(monday, "Review", at("2026-03-08", "22:00"))
    history.approve(monday, at("2026-03-09", "00:30"), score=2)

    services.rebuild()

    by_week = weeks(intern)
    assert (by_week[WEEK1].completed, by_week[WEEK1].points) == (1, 3)
    assert (by_week[WEEK2].completed, by_week[WEEK2].points) == (1, 5)
    assert metrics(sunday).completed_on == datetime.date(2026, 3, 8)
    assert metrics(monday).completed_on == datetime.date(2026, 3, 9)
    # Cycle: Tue 10:00 -> Sun 23:30 = 5 d 13 h 30 min.
    assert metrics(sunday).cycle_seconds == 5 * DAY + 13 * HOUR + 30 * 60
    # Lead: Mon 10:00 -> next Mon 00:30 = 6 d 14 h 30 min.
    assert metrics(monday).lead_seconds == 6 * DAY + 14 * HOUR + 30 * 60
    assert by_week[WEEK1].score_sum == 4
    assert by_week[WEEK2].score_sum == 2


def test_reopened_task_counts_once_at_its_last_completion(history, intern):
    task = history.create(at("2026-03-02", "10:00"), estimate=2)
    history.move(task, "In progress", at("2026-03-02", "12:00"))
    history.move(task, "Review", at("2026-03-03", "10:00"))
    history.approve(task, at("2026-03-03", "15:00"), score=3)  # done in week 1 ...
    history.move(task, "In progress", at("2026-03-05", "09:00"))  # ... reopened
    history.move(task, "Review", at("2026-03-10", "10:00"))
    history.request_changes(task, at("2026-03-10", "15:00"))
    history.move(task, "Review", at("2026-03-11", "10:00"))
    history.approve(task, at("2026-03-11", "18:00"), score=5)  # done again in week 2

    services.rebuild()

    row = metrics(task)
    assert row.completed_week == WEEK2
    # First entry into In progress (2 March 12:00) to the last completion.
    assert row.cycle_seconds == 9 * DAY + 6 * HOUR
    assert row.lead_seconds == 9 * DAY + 8 * HOUR
    assert row.first_pass is True  # its first review was an approval
    assert (row.approvals, row.score_sum) == (2, 8)
    by_week = weeks(intern)
    assert by_week[WEEK1].completed == 0
    assert by_week[WEEK1].reviews_received == 1
    assert (by_week[WEEK2].completed, by_week[WEEK2].points) == (1, 2)
    assert (by_week[WEEK2].reviews_received, by_week[WEEK2].changes_requested) == (2, 1)


def test_reopened_and_not_completed_again_does_not_count(history, intern):
    task = history.create(at("2026-03-02", "10:00"))
    history.move(task, "In progress", at("2026-03-02", "11:00"))
    history.move(task, "Review", at("2026-03-02", "12:00"))
    history.approve(task, at("2026-03-02", "13:00"))
    history.move(task, "In progress", at("2026-03-03", "09:00"))

    services.rebuild()

    assert metrics(task).completed_at is None
    assert InternWeek.objects.filter(intern=intern, completed__gt=0).count() == 0


def test_on_time_uses_the_local_date_and_ignores_tasks_without_due_date(history, intern):
    # Due 8 March; completed Monday 00:30 local (still 8 March in UTC): late.
    late = history.create(at("2026-03-02", "10:00"), due_on=datetime.date(2026, 3, 8))
    history.move(late, "Done", at("2026-03-09", "00:30"))
    # Due 9 March, completed the same day: on time.
    on_time = history.create(at("2026-03-02", "10:00"), due_on=datetime.date(2026, 3, 9))
    history.move(on_time, "Done", at("2026-03-09", "23:59"))
    # No due date and no estimate: counts as completed, in neither part of the rate.
    undated = history.create(at("2026-03-02", "10:00"))
    history.move(undated, "Done", at("2026-03-10", "10:00"))

    services.rebuild()

    assert metrics(late).on_time is False
    assert metrics(on_time).on_time is True
    assert metrics(undated).on_time is None
    week = weeks(intern)[WEEK2]
    assert (week.completed, week.points, week.with_due, week.on_time) == (3, 0, 2, 1)
    # Never in progress: no cycle time, lead time only.
    assert metrics(undated).cycle_seconds is None
    assert metrics(undated).lead_seconds == 8 * DAY


def test_changes_requested_then_approved_is_not_first_pass(history, intern):
    task = history.create(at("2026-03-02", "10:00"))
    history.move(task, "In progress", at("2026-03-02", "11:00"))
    history.move(task, "Review", at("2026-03-03", "11:00"))
    history.request_changes(task, at("2026-03-03", "12:00"))
    history.move(task, "Review", at("2026-03-04", "11:00"))
    history.approve(task, at("2026-03-04", "12:00"), score=4)
    clean = history.create(at("2026-03-02", "10:00"))
    history.move(clean, "In progress", at("2026-03-02", "11:00"))
    history.move(clean, "Review", at("2026-03-03", "11:00"))
    history.approve(clean, at("2026-03-05", "12:00"), score=3)
    unreviewed = history.create(at("2026-03-02", "10:00"))
    history.move(unreviewed, "Done", at("2026-03-05", "10:00"))

    services.rebuild()

    assert metrics(task).first_pass is False
    assert metrics(clean).first_pass is True
    assert metrics(unreviewed).first_pass is None
    week = weeks(intern)[WEEK1]
    assert (week.completed, week.reviewed, week.first_pass) == (3, 2, 1)
    assert (week.approvals, week.score_sum) == (2, 7)
    # Cycle times 2 d 1 h, 3 d 1 h and none: median and mean 2 d 13 h.
    assert week.median_cycle_seconds == 2 * DAY + 13 * HOUR
    assert week.mean_cycle_seconds == 2 * DAY + 13 * HOUR


def test_archived_task_leaves_the_metrics_and_a_restored_one_comes_back(history, intern):
    task = history.create(at("2026-03-02", "10:00"), estimate=8)
    history.move(task, "Done", at("2026-03-03", "10:00"))
    history.archive(task, at("2026-03-04", "10:00"))
    services.rebuild()
    assert metrics(task).completed_at is None
    assert InternWeek.objects.filter(intern=intern, completed__gt=0).count() == 0

    history.archive(task, at("2026-03-05", "10:00"), archived=False)
    services.rebuild()
    assert weeks(intern)[WEEK1].completed == 1
    assert metrics(task).completed_on == datetime.date(2026, 3, 3)


def test_project_days_count_tasks_per_category_at_the_end_of_each_local_day(
    history, project, time_machine
):
    first = history.create(at("2026-03-02", "10:00"))
    second = history.create(at("2026-03-02", "23:30"))  # 20:30 UTC: still 2 March
    history.move(first, "In progress", at("2026-03-03", "00:30"))  # 2 March in UTC
    history.move(first, "Done", at("2026-03-04", "10:00"))
    history.archive(second, at("2026-03-05", "10:00"))
    time_machine.move_to(at("2026-03-06", "12:00"), tick=False)  # "today" ends the series

    services.rebuild()

    days = {
        row.day: (row.todo, row.in_progress, row.review, row.done)
        for row in ProjectDay.objects.filter(project=project)
    }
    assert days == {
        datetime.date(2026, 3, 2): (2, 0, 0, 0),
        datetime.date(2026, 3, 3): (1, 1, 0, 0),
        datetime.date(2026, 3, 4): (1, 0, 0, 1),
        datetime.date(2026, 3, 5): (0, 0, 0, 1),
        datetime.date(2026, 3, 6): (0, 0, 0, 1),
    }


def test_reassigned_task_moves_to_the_new_interns_weeks(history, intern, team):
    from teams.models import Role
    from tests.teams.factories import MembershipFactory

    other = MembershipFactory(team=team, role=Role.INTERN).user
    task = history.create(at("2026-03-02", "10:00"), estimate=1)
    history.move(task, "Done", at("2026-03-03", "10:00"))
    services.rebuild()
    assert weeks(intern)[WEEK1].completed == 1

    history.assign(task, other)
    services.rebuild()
    assert WEEK1 not in weeks(intern)
    assert weeks(other)[WEEK1].completed == 1
