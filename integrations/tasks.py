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


@shared_task(acks_late=True)
def event_dispatch_task(*, event_id: str) -> None:
    """Create the event's deliveries and queue each one."""
    from integrations.services import event_dispatch

    for delivery_id in event_dispatch(event_id=event_id):
        enqueue(webhook_deliver_task, delivery_id=str(delivery_id))


@shared_task(bind=True, acks_late=True)
def webhook_deliver_task(self: Task, *, delivery_id: str) -> None:
    """One attempt (the service claims the row: safe to run twice); schedule the next."""
    from integrations.services import delivery_attempt, delivery_retry_countdown

    delivery = delivery_attempt(delivery_id=delivery_id)
    if delivery is None or self.request.is_eager:
        return
    countdown = delivery_retry_countdown(delivery=delivery)
    if countdown is not None:
        enqueue(webhook_deliver_task, countdown=countdown, delivery_id=delivery_id)


@shared_task(acks_late=True)
def outbox_sweep_task() -> None:
    """Re-queue undispatched events and overdue deliveries (beat: every minute)."""
    from integrations.services import outbox_sweep

    result = outbox_sweep()
    for event_id in result.event_ids:
        enqueue(event_dispatch_task, event_id=str(event_id))
    for delivery_id in result.delivery_ids:
        enqueue(webhook_deliver_task, delivery_id=str(delivery_id))


@shared_task(acks_late=True)
def outbox_prune_task() -> None:
    """Forget settled events older than the retention period (beat: daily)."""
    from integrations.services import outbox_prune

    outbox_prune()
