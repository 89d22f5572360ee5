"""A full rebuild and the incremental path at the same time leave the same rows (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from analytics import services
from analytics.models import RecomputeKey
from tests.analytics.conftest import History, at
from tests.analytics.test_incremental import snapshot

pytestmark = pytest.mark.postgres


def _in_thread(target, errors: list) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_rebuild_and_incremental_together_leave_what_a_rebuild_leaves(
    postgres_only, transactional_db, project, intern, mentor
):
    history = History(project, intern, mentor)
    tasks = []
    for number in range(12):
        task = history.create(at("2026-03-02", "10:00"), estimate=number % 4 + 1)
        history.move(task, "In progress", at("2026-03-03", f"1{number % 10}:00"))
        if number % 3:
            history.move(task, "Done", at("2026-03-0" + str(4 + number % 5), "12:00"))
        tasks.append(task)
    services.rebuild()
    expected = snapshot()
    services.mark_stale(task_ids=[task.pk for task in tasks])
    errors: list = []
    threads = [
        _in_thread(services.rebuild, errors),
        _in_thread(services.recompute_pending, errors),
        _in_thread(services.rebuild, errors),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert not RecomputeKey.objects.exists()
    assert snapshot() == expected
