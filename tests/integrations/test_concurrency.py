"""Workers racing for the same delivery post it once (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from integrations import services
from integrations.models import Event, EventType, WebhookDelivery


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_concurrent_workers_claim_a_delivery_once(postgres_only, project, webhook, receiver):
    receiver.respond_with(200, delay=0.2)  # the winner holds its claim while the others try
    # Not event_record: outside a test transaction its on_commit would deliver at once.
    event = Event.objects.create(project=project, type=EventType.TASK_CREATED, data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)
    workers = 6
    barrier = threading.Barrier(workers)
    results: list[object] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(services.delivery_attempt(delivery_id=delivery_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(receiver.requests) == 1
    assert sum(result is not None for result in results) == 1
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
