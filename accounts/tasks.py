"""Celery tasks of the accounts context: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_set_password_email_task(*, user_id: int) -> None:
    """Email one participant their set-password link; SMTP hiccups (OSError) retry."""
    from accounts.models import User
    from accounts.services import user_send_set_password_email

    user = User.objects.filter(pk=user_id).first()
    if user is not None:  # deleted before the worker got here: nothing to send
        user_send_set_password_email(user=user)


@shared_task(acks_late=True)
def clear_expired_sessions_task() -> None:
    call_command("clearsessions")
