"""A real HTTP receiver on 127.0.0.1 and the webhooks that point at it.

The receiver records every request (method, path, headers, raw body) and
answers from a queue of planned responses, then with ``default_status``.
Tests that use it allow private addresses, as local development does.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test.utils import CaptureQueriesContext

from integrations import services
from integrations.models import EventType

SECRET = "test-secret-for-webhooks-0123456789"


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Planned:
    status: int = 200
    delay: float = 0.0


class Receiver:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.requests: list[Received] = []
        self.planned: deque[Planned] = deque()
        self.default_status = 200
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def respond_with(self, *statuses: int, delay: float = 0.0) -> None:
        self.planned.extend(Planned(status, delay) for status in statuses)

    def _next(self) -> Planned:
        with self._lock:
            return self.planned.popleft() if self.planned else Planned(self.default_status)

    def _record(self, request: Received) -> None:
        with self._lock:
            self.requests.append(request)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver = self.server.receiver
        receiver._record(Received(self.command, self.path, dict(self.headers.items()), body))
        planned = receiver._next()
        if planned.delay:
            time.sleep(planned.delay)
        self.send_response(planned.status)
        if 300 <= planned.status < 400:
            self.send_header("Location", receiver.url("/moved"))
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = _handle
    do_GET = _handle  # a followed redirect would show up as a GET

    def log_message(self, format, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    receiver: Receiver

    def handle_error(self, request, client_address) -> None:
        # A client that timed out has closed the socket the slow handler writes to.
        pass


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def forbid_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


@pytest.fixture
def receiver(allow_private):
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook(project, mentor, receiver):
    return services.webhook_create(
        project=project, by=mentor, url=receiver.url(), events=EventType.values, secret=SECRET
    )


@pytest.fixture
def record_event(django_capture_on_commit_callbacks):
    """Record an event as a task service would, running the after-commit callbacks."""

    def record(project, type: str = EventType.TASK_CREATED, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.event_record(
                project=project, type=type, data=data if data is not None else {"task": 1}
            )

    return record


@pytest.fixture
def count_queries():
    """Run a callable and return how many queries it made."""
    from django.db import connection

    def count(action) -> int:
        with CaptureQueriesContext(connection) as context:
            action()
        return len(context.captured_queries)

    return count
