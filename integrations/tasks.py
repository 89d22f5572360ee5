"""Celery tasks of the integrations context: thin wrappers over ``integrations.services``.

Retries are rows, not Celery state. A failed attempt stores
``next_attempt_at``; with a real worker ``webhook_deliver_task`` re-queues
itself with that countdown (short waits only), and ``outbox_sweep_task``
(beat, every minute) re-queues any pending delivery overdue by a minute. With
``CELERY_TASK_ALWAYS_EAGER`` (no broker: development, tests) a task runs
inline at ``.delay()``, so the deliver task never re-queues itself there —
that would sleep or recurse inside the caller — and the sweep does the retry.
"""

from __future__ import annotations

from celery import Task, shared_task

from config.queueing import enqueue
from integrations.services import ATTEMPT_TIME_LIMIT


@shared_task(acks_late=True)
def event_dispatch_task(*, event_id: str) -> None:
    """Hand the event to every registered consumer, create its deliveries and queue each one.

    The only message a change publishes (``services._queue_dispatch``): the
    fan-out to the consumers happens here, off the request. Consumers first,
    as queueing them cannot fail on the event's data; a consumer queued twice
    (this task run again by the sweep) finds its receipt and does nothing.
    """
    from integrations.consumers import registered
    from integrations.services import event_dispatch

    for consumer in registered():
        enqueue(consumer.task, event_id=event_id)
    for delivery_id in event_dispatch(event_id=event_id):
        enqueue(webhook_deliver_task, delivery_id=str(delivery_id))


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=ATTEMPT_TIME_LIMIT - 5,
    time_limit=ATTEMPT_TIME_LIMIT,
)
def webhook_deliver_task(self: Task, *, delivery_id: str) -> None:
    """One attempt (the service claims the row: safe to run twice); schedule the next.

    Routed to its own queue ("webhooks", settings.CELERY_TASK_ROUTES) so slow
    receivers never delay e-mails or event dispatch. The claim carries the
    task id: when the worker dies mid-attempt, Celery puts this same message
    back and its next run takes the stale claim over at once.
    """
    from integrations.services import WebhookBusy, delivery_attempt, delivery_retry_countdown

    try:
        delivery = delivery_attempt(delivery_id=delivery_id, claim=self.request.id or "")
    except WebhookBusy as busy:
        # Another delivery of this webhook is in flight: free the worker for
        # other webhooks and come back shortly (eagerly, the sweep does).
        if not self.request.is_eager:
            enqueue(webhook_deliver_task, countdown=busy.retry_in, delivery_id=delivery_id)
        return
    if delivery is None or self.request.is_eager:
        return
    countdown = delivery_retry_countdown(delivery=delivery)
    if countdown is not None:
        enqueue(webhook_deliver_task, countdown=countdown, delivery_id=delivery_id)


@shared_task(acks_late=True)
def outbox_sweep_task() -> None:
    """Re-queue undispatched events, overdue deliveries and every consumer's missed events.

    Beat: every minute.
    """
    from integrations.consumers import registered
    from integrations.services import outbox_sweep

    result = outbox_sweep()
    for event_id in result.event_ids:
        enqueue(event_dispatch_task, event_id=str(event_id))
    for delivery_id in result.delivery_ids:
        enqueue(webhook_deliver_task, delivery_id=str(delivery_id))
    for consumer in registered():
        for event_id in result.consumer_event_ids.get(consumer.name, []):
            enqueue(consumer.task, event_id=str(event_id))


@shared_task(acks_late=True)
def outbox_prune_task() -> None:
    """Forget settled events older than the retention period (beat: daily)."""
    from integrations.services import outbox_prune

    outbox_prune()
