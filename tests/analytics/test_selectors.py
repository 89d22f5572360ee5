"""The read API the pages use: at-risk flags with reasons, live WIP and overdue, periods."""

from __future__ import annotations

import datetime

import pytest

from analytics import selectors, services
from config.errors import DomainError
from teams.models import Membership
from tests.analytics.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def test_at_risk_flags_say_why(history, intern, team, time_machine):
    Membership.objects.filter(team=team).update(joined_on=datetime.date(2026, 1, 5))
    # Two tasks done in each of the four weeks from 2 February, none in the week of 2 March.
    for monday in ("2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"):
        for _ in range(2):
            task = history.create(at(monday, "09:00"))
            history.move(task, "Done", at(monday, "15:00"))
    # Thursday 5 March: the intern's last board activity.
    history.create(at("2026-03-05", "08:00"), due_on=datetime.date(2026, 3, 9))
    waiting = history.create(at("2026-03-05", "08:30"))
    history.move(waiting, "In progress", at("2026-03-05", "08:40"))
    history.move(waiting, "Review", at("2026-03-05", "09:00"))
    services.rebuild()
    time_machine.move_to(at("2026-03-11", "12:00"), tick=False)  # a Wednesday

    result = selectors.team_analytics(team, selectors.period())
    row = next(row for row in result.interns if row.intern == intern)
    flags = {flag.code: flag.message for flag in row.at_risk}
    assert set(flags) == {"idle", "overdue", "throughput_drop", "review_wait"}
    assert "3 working days" in flags["idle"]  # 6, 9 and 10 March
    assert "1 overdue task" in flags["overdue"]
    assert "0 last week" in flags["throughput_drop"]
    assert "2.0" in flags["throughput_drop"]
    assert "6 days" in flags["review_wait"]
    assert (row.wip, row.overdue) == (1, 1)
    assert [point.completed for point in row.weekly][-3:] == [2, 0, 0]
    assert result.computed_at is not None


def test_an_active_intern_is_not_at_risk(history, intern, team, time_machine):
    Membership.objects.filter(team=team).update(joined_on=datetime.date(2026, 3, 2))
    task = history.create(at("2026-03-10", "10:00"))
    history.move(task, "In progress", at("2026-03-10", "11:00"))
    services.rebuild()
    time_machine.move_to(at("2026-03-11", "12:00"), tick=False)
    row = selectors.team_analytics(team, selectors.period()).interns[0]
    assert row.at_risk == []


def test_a_period_defaults_to_the_last_four_weeks_and_is_bounded(time_machine):
    time_machine.move_to(at("2026-03-11", "12:00"), tick=False)
    span = selectors.period()
    assert (span.start, span.end) == (datetime.date(2026, 2, 12), datetime.date(2026, 3, 11))
    assert span.weeks[0] == datetime.date(2026, 2, 9)
    with pytest.raises(DomainError):
        selectors.period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 1))
    with pytest.raises(DomainError):
        selectors.period(datetime.date(2020, 1, 1), datetime.date(2026, 3, 1))


def test_intern_analytics_has_the_whole_internship_trend_and_the_reviews(
    history, intern, team, time_machine
):
    Membership.objects.filter(team=team).update(joined_on=datetime.date(2026, 2, 2))
    task = history.create(at("2026-03-02", "10:00"))
    history.move(task, "Review", at("2026-03-03", "10:00"))
    history.request_changes(task, at("2026-03-03", "12:00"))
    history.move(task, "Review", at("2026-03-04", "10:00"))
    history.approve(task, at("2026-03-04", "12:00"), score=5)
    services.rebuild()
    time_machine.move_to(at("2026-03-11", "12:00"), tick=False)
    result = selectors.intern_analytics(intern, selectors.period())
    assert [point.week for point in result.trend][0] == datetime.date(2026, 2, 2)
    assert len(result.trend) == 6  # 2 February to the week of 9 March
    assert [review.decision for review in result.reviews] == ["approve", "request_changes"]
    assert result.metrics.completed == 1
    assert result.metrics.first_pass_rate == 0.0
    assert result.metrics.mean_score == 5.0
    assert (result.metrics.reviews_received, result.metrics.changes_requested) == (2, 1)
