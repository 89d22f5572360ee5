"""The pipeline through a real Celery worker on a throwaway Redis (run by .ci/run).

Committed data (``transactional_db``) in the PostgreSQL test database, a real
``celery -A config worker`` subprocess (tests/faults' fixtures) and events
published to it twice, as a redelivery would: the worker consumes them,
coalesces the recompute, and leaves exactly what a full rebuild leaves.
"""

from __future__ import annotations

import pytest

from analytics import services
from analytics.models import RecomputeKey, TaskMetrics
from integrations import consumers
from integrations.models import Event, EventReceipt
from tests.analytics.conftest import History, at
from tests.analytics.test_incremental import snapshot
from tests.faults.conftest import redis_server  # noqa: F401 - fixture
from tests.faults.test_worker_killed import _publisher, _wait, start_worker  # noqa: F401

pytestmark = pytest.mark.postgres


def test_events_reach_the_read_models_through_a_real_worker(
    postgres_only,
    transactional_db,
    project,
    intern,
    mentor,
    redis_server,  # noqa: F811
    start_worker,  # noqa: F811
    monkeypatch,
):
    # Written here with no consumer registered, so nothing is consumed in-process.
    monkeypatch.setattr(consumers, "_registry", {})
    history = History(project, intern, mentor)
    tasks = [history.create(at("2026-03-02", "10:00"), estimate=2) for _ in range(3)]
    for number, task in enumerate(tasks):
        history.move(task, "In progress", at("2026-03-03", f"1{number}:00"))
        history.move(task, "Review", at("2026-03-04", f"1{number}:00"))
        history.approve(task, at("2026-03-05", f"1{number}:00"), score=4)
    events = [str(pk) for pk in Event.objects.order_by("created_at").values_list("pk", flat=True)]
    worker, log = start_worker()
    publisher = _publisher(redis_server.url)
    for _ in range(2):  # every event twice: a redelivery must change nothing
        for event_id in events:
            publisher.send_task(
                "analytics.tasks.analytics_event_task", kwargs={"event_id": event_id}
            )

    def settled() -> bool:
        return (
            EventReceipt.objects.filter(consumer="analytics").count() == len(events)
            and TaskMetrics.objects.filter(completed_on__isnull=False).count() == len(tasks)
            and not RecomputeKey.objects.exists()
        )

    _wait(settled, 60, "the worker to consume the events and recompute", log)
    from_worker = snapshot()
    services.rebuild()
    assert snapshot() == from_worker
    assert worker.poll() is None
