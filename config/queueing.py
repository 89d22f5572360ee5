"""Queueing Celery work so that a broker outage never reaches the caller.

Shared infrastructure: every context that queues work after commit uses
``enqueue``; the work it queues is also a row that a periodic sweep finds, so
a failed publish delays it and loses nothing.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from celery import Task

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable (kombu wraps most of
# them; a few transports let the socket or redis error through).
BROKER_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


def enqueue(task: Task, /, *, countdown: float | None = None, **kwargs: str) -> bool:
    """Queue ``task(**kwargs)``; with the broker down, log and leave it to the sweep.

    Returns whether the message was published. Callers must have recorded the
    work as a row first (an undispatched event, a due delivery, an unsent
    e-mail), so that the sweep that owns those rows delivers it later.
    """
    try:
        if countdown is None:
            task.delay(**kwargs)
        else:
            task.apply_async(kwargs=kwargs, countdown=countdown)
    except BROKER_ERRORS:
        logger.warning(
            "Could not queue %s(%s); the sweep will pick it up.",
            task.name,
            kwargs,
            exc_info=True,
        )
        return False
    return True
