"""Who reads the event log: a registry the consumers add themselves to.

The log lives here, on the producers' side; its consumers sit higher in the
dependency chain (analytics → tasks → integrations), so integrations must
never import them. Instead each consumer registers its Celery task from its
own ``AppConfig.ready()``; ``event_record`` queues every registered task
after commit and ``outbox_sweep`` re-queues what a consumer has not handled.

Webhooks are the built-in consumer (``WEBHOOKS``): their progress is
``Event.dispatched_at``. Any other consumer records an ``EventReceipt`` in
the transaction that applies the event (``services.event_receive``).
"""

from __future__ import annotations

from dataclasses import dataclass

from celery import Task

WEBHOOKS = "webhooks"


@dataclass(frozen=True)
class Consumer:
    name: str
    # Called as ``task.delay(event_id=str)``; must be idempotent.
    task: Task


_registry: dict[str, Consumer] = {}


def register(*, name: str, task: Task) -> None:
    """Add a consumer (idempotent: ``ready()`` may run more than once in tests)."""
    if name == WEBHOOKS:
        raise ValueError("the webhooks consumer is built in")
    _registry[name] = Consumer(name=name, task=task)


def registered() -> list[Consumer]:
    """The consumers that keep receipts, in registration order (webhooks not included)."""
    return list(_registry.values())
