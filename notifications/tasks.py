"""Celery tasks of notifications: thin wrappers over ``notifications.services``."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def notifications_event_task(*, event_id: str) -> None:
    """Consume one event of the log (idempotent: the receipt makes a second run a no-op)."""
    from notifications.services import event_consume

    event_consume(event_id=event_id)


@shared_task(acks_late=True)
def notifications_due_task() -> None:
    """Due-tomorrow and overdue notices (beat: hourly; idempotent)."""
    from notifications.services import due_notices_send

    due_notices_send()
