"""One slow receiver cannot hold up the others (issue 7, item 15).

- deliveries have their own Celery queue;
- an attempt ends at its deadline even when the receiver keeps trickling
  bytes (each byte within the socket timeout);
- one webhook gets one attempt at a time: while a slow delivery is in
  flight, its webhook's other deliveries step aside at once, and other
  webhooks' deliveries go through.

Real HTTP receivers (threaded ``http.server``) in this process.
"""

from __future__ import annotations

import datetime
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from integrations import services
from integrations.models import DeliveryAttempt, Event, EventType, WebhookDelivery
from integrations.tasks import event_dispatch_task, webhook_deliver_task

TRICKLE_SECONDS = 15  # how long the trickling receiver would keep a worker


class _Trickle(BaseHTTPRequestHandler):
    """Answers one byte every 0.1 s: never idle long enough for a socket timeout."""

    protocol_version = "HTTP/1.1"
    where = "headers"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.hits += 1
        try:
            if self.where == "headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                payload = b"a" * (TRICKLE_SECONDS * 10)
                tail = b"\r\nContent-Length: 0\r\n\r\n"
            else:
                size = TRICKLE_SECONDS * 10
                self.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
                payload, tail = b"a" * size, b""
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
            self.wfile.write(tail)
        except OSError:
            return  # the client hung up: what a deadline does

    def log_message(self, format, *args) -> None:
        pass


class _TrickleHandshake(socketserver.BaseRequestHandler):
    """A "TLS server" announcing a 16 KB handshake record, then sending it byte by byte."""

    def handle(self) -> None:
        self.server.hits += 1
        self.request.recv(4096)  # the ClientHello
        try:
            self.request.sendall(b"\x16\x03\x03\x40\x00")
            for _ in range(TRICKLE_SECONDS * 10):
                self.request.sendall(b"\x00")
                time.sleep(0.1)
        except OSError:
            return


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    hits: int

    @property
    def url(self) -> str:
        scheme = "https" if self.RequestHandlerClass is _TrickleHandshake else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}/hook"

    def handle_error(self, request, client_address) -> None:
        pass


@pytest.fixture
def trickling(allow_private):
    def start(where: str) -> _Quiet:
        handler = (
            _TrickleHandshake
            if where == "tls handshake"
            else type("Handler", (_Trickle,), {"where": where})
        )
        server = _Quiet(("127.0.0.1", 0), handler)
        server.hits = 0
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    servers: list[_Quiet] = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_deliveries_have_their_own_queue_and_a_plain_worker_consumes_both():
    from config.celery import app

    def queue_of(task) -> str:
        return app.amqp.router.route({}, task.name)["queue"].name

    assert queue_of(webhook_deliver_task) == "webhooks"
    assert queue_of(event_dispatch_task) == "celery"
    # A worker started without -Q consumes every declared queue.
    assert {"celery", "webhooks"} <= set(app.amqp.queues)


@pytest.mark.parametrize("where", ["headers", "body", "tls handshake"])
def test_an_attempt_ends_at_its_deadline_although_bytes_keep_coming(
    project, mentor, trickling, settings, where
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1  # never reached: a byte comes every 0.1 s
    settings.WEBHOOK_DEADLINE_SECONDS = 1.5
    services.webhook_create(
        project=project, by=mentor, url=trickling(where).url, events=EventType.values
    )
    event = services.event_record(project=project, type=EventType.TASK_CREATED, data={})
    (delivery_id,) = services.event_dispatch(event_id=event.pk)

    started = time.monotonic()
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    took = time.monotonic() - started

    assert took < 5  # the receiver would have kept it TRICKLE_SECONDS
    assert delivery.status == "pending"  # retried later, like any timeout
    assert "Timed out" in delivery.last_error
    assert delivery.last_duration_ms < 5000


def test_a_busy_webhook_steps_aside_and_other_webhooks_proceed(
    transactional_db, project, mentor, receiver, trickling, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    settings.WEBHOOK_DEADLINE_SECONDS = 4
    slow_receiver = trickling("body")
    slow = services.webhook_create(
        project=project, by=mentor, url=slow_receiver.url, events=EventType.values
    )
    fast = services.webhook_create(
        project=project, by=mentor, url=receiver.url("/fast"), events=EventType.values
    )
    # Not event_record: outside a test transaction its on_commit would deliver at once.
    ids = {slow.pk: [], fast.pk: []}
    for _ in range(2):
        event = Event.objects.create(project=project, type=EventType.TASK_CREATED, data={})
        for delivery_id in services.event_dispatch(event_id=event.pk):
            ids[WebhookDelivery.objects.get(pk=delivery_id).webhook_id].append(delivery_id)

    def worker() -> None:  # another worker, stuck on the slow receiver
        try:
            services.delivery_attempt(delivery_id=ids[slow.pk][0])
        finally:
            connection.close()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not slow_receiver.hits:
        assert time.monotonic() < deadline, "the slow attempt never started"
        time.sleep(0.02)

    started = time.monotonic()
    busy = None
    try:
        services.delivery_attempt(delivery_id=ids[slow.pk][1])
    except services.WebhookBusy as error:
        busy = error
    for delivery_id in ids[fast.pk]:
        assert services.delivery_attempt(delivery_id=delivery_id).status == "succeeded"
    took = time.monotonic() - started

    assert took < 3  # not behind the slow receiver (4 s here, minutes in the wild)
    assert slow_receiver.hits == 1  # the second delivery did not go out meanwhile
    assert busy is not None
    assert 1 <= busy.retry_in <= 3
    assert len(receiver.requests) == 2
    second = WebhookDelivery.objects.get(pk=ids[slow.pk][1])
    assert (second.attempts, second.claimed_until) == (0, None)  # no attempt used up
    assert not DeliveryAttempt.objects.filter(delivery_id=second.pk).exists()
    thread.join(15)
    settings.WEBHOOK_DEADLINE_SECONDS = 0.5  # the receiver is as slow as before
    assert services.delivery_attempt(delivery_id=second.pk) is not None  # its turn now
    assert slow_receiver.hits == 2


def test_the_task_requeues_a_busy_delivery_shortly_without_sending(project, webhook, receiver):
    first, second = (
        Event.objects.create(project=project, type=EventType.TASK_CREATED, data={})
        for _ in range(2)
    )
    (held,) = services.event_dispatch(event_id=first.pk)
    (waiting,) = services.event_dispatch(event_id=second.pk)
    # Another worker is sending ``held`` right now.
    WebhookDelivery.objects.filter(pk=held).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=1), claimed_by="other-task"
    )

    with mock.patch.object(webhook_deliver_task, "apply_async") as apply_async:
        webhook_deliver_task(delivery_id=str(waiting))  # as a worker runs it

    assert receiver.requests == []
    apply_async.assert_called_once()
    assert 1 <= apply_async.call_args.kwargs["countdown"] <= 3
    assert apply_async.call_args.kwargs["kwargs"] == {"delivery_id": str(waiting)}
