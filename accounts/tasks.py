"""Celery tasks of the accounts context: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from config.queueing import enqueue


@shared_task(acks_late=True)
def outgoing_email_send_task(*, email_id: str) -> None:
    """Send one outbox e-mail (the service claims the row: safe to run twice).

    Retries are rows, not Celery state: a failed send stores its next attempt
    and ``outgoing_email_sweep_task`` queues it again when due.
    """
    from accounts.services import outgoing_email_send

    outgoing_email_send(email_id=email_id)


@shared_task(acks_late=True)
def outgoing_email_sweep_task() -> None:
    """Queue e-mails whose queueing failed, whose worker died or whose retry is due (beat)."""
    from accounts.services import outgoing_email_sweep

    for email_id in outgoing_email_sweep():
        enqueue(outgoing_email_send_task, email_id=str(email_id))


@shared_task(acks_late=True)
def clear_expired_sessions_task() -> None:
    call_command("clearsessions")
