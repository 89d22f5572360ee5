"""Celery tasks of analytics: thin wrappers over ``analytics.services``.

Arguments are ids (JSON). ``analytics_event_task`` is this context's consumer
of the event log (registered in ``AnalyticsConfig.ready``); it marks the
event's task stale and queues one coalesced recompute: a burst of events
within ``ANALYTICS_COALESCE_SECONDS`` shares a single ``analytics_recompute_task``
message (a cache flag, best effort), and the beat job runs the recompute
every minute anyway, so a lost flag or message delays nothing for long.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache

from config.queueing import enqueue

COALESCE_FLAG = "analytics:recompute-queued"


@shared_task(bind=True, acks_late=True)
def analytics_event_task(self: Task, *, event_id: str) -> None:
    """Consume one event (idempotent: the receipt makes a second run a no-op)."""
    from analytics.services import event_consume, later_event_waiting, recompute_pending

    stale = event_consume(event_id=event_id)
    if self.request.is_eager:
        # In-process (no broker): recompute now, unless the task's next event
        # is about to run and will (it recomputes every stale task).
        if not later_event_waiting(event_id=event_id):
            recompute_pending()
        return
    if not stale:
        return
    delay = settings.ANALYTICS_COALESCE_SECONDS
    # Only the first event of a burst queues the recompute; the flag lapses
    # before the message runs, so an event committed after it queues anew.
    # With Redis down the cache answers False and the broker is down too:
    # the beat job picks the stale keys up.
    if cache.add(COALESCE_FLAG, 1, timeout=max(delay // 2, 1)):
        enqueue(analytics_recompute_task, countdown=delay)


@shared_task(acks_late=True)
def analytics_recompute_task() -> None:
    """Recompute every stale task (beat: every minute; also queued by events)."""
    from analytics.services import RECOMPUTE_BATCH, recompute_pending

    while recompute_pending() == RECOMPUTE_BATCH:
        pass


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def analytics_rebuild_task(*, team_id: int | None = None) -> None:
    """Rebuild every read model (beat: nightly), or one team's (a mentor's "refresh")."""
    from analytics.services import rebuild

    rebuild(team_id=team_id)
