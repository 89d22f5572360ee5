"""Celery tasks of the tasks context: thin wrappers over its services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def trello_import_task(*, job: str) -> None:
    """A large Trello board's import (``tasks.trello.trello_job_run``; safe to run twice)."""
    from tasks.trello import trello_job_run

    trello_job_run(job=job)
