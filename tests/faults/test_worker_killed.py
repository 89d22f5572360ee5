"""Fault test: a worker killed mid-delivery (issue 7, item 16, and "Tests to add").

Real services: a throwaway ``redis-server`` (the suite's ``redis_server``,
never the shared one), a real ``celery -A config worker`` subprocess on the webhooks and
default queues, and the PostgreSQL test database they share (data is
committed: ``transactional_db``). A receiver hangs on the first request; the
pool process sending it is killed with SIGKILL (as the OOM killer does).
``acks_late`` + ``reject_on_worker_lost`` put the message back, the worker
forks a new pool process, and that one must redo the delivery at once under
the same delivery id, not find its predecessor's claim and skip (which left
it to the minute sweep, 95–135 s later).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from integrations import services
from integrations.models import DeliveryAttempt, Event, EventType, WebhookDelivery

REDELIVERY_BOUND = 20  # seconds; the sweep took 95–135 s


def _wait(condition, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-4000:] if log and log.exists() else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tail}")
        time.sleep(0.05)


class _HangsFirst(BaseHTTPRequestHandler):
    """Never answers the first request (until released); answers 200 afterwards."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        with server.lock:
            server.requests.append((dict(self.headers.items()), body))
            first = len(server.requests) == 1
        if first:
            server.release.wait(60)
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args) -> None:
        pass


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:
        pass  # the killed worker's connection just goes away


@pytest.fixture
def hanging_receiver():
    server = _Receiver(("127.0.0.1", 0), _HangsFirst)
    server.requests = []
    server.lock = threading.Lock()
    server.release = threading.Event()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _pool_children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture
def start_worker(redis_server, tmp_path):
    workers: list[subprocess.Popen] = []

    def start() -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"worker-{len(workers)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "fault-test-only-" + "x" * 50,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_server.url,
            "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "1",
        }
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "celery,webhooks",
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"fault{len(workers)}@%h",
                "-l",
                "info",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        workers.append(process)
        _wait(
            lambda: "ready." in log.read_text() or process.poll() is not None,
            45,
            "the Celery worker to start",
            log,
        )
        assert process.poll() is None, log.read_text()[-4000:]
        return process, log

    yield start
    for process in workers:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for child in _pool_children(process.pid):
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                continue


def _publisher(broker_url: str):
    """A Celery app that publishes to the throwaway broker with the project's routing."""
    from celery import Celery

    # Not the current app: shared tasks (every .delay() in later tests) resolve through
    # the current app, and this one is not eager and publishes to a throwaway broker.
    app = Celery("fault-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    return app


@pytest.mark.postgres
def test_a_delivery_killed_mid_attempt_is_redone_at_once_under_the_same_id(
    postgres_only,
    transactional_db,
    project,
    mentor,
    hanging_receiver,
    start_worker,
    redis_server,
    settings,
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    port = hanging_receiver.server_address[1]
    webhook = services.webhook_create(
        project=project,
        by=mentor,
        url=f"http://127.0.0.1:{port}/hook",
        events=EventType.values,
    )
    worker, log = start_worker()
    # Committed, as a task service does it; the worker dispatches and delivers.
    event = Event.objects.create(project=project, type=EventType.TASK_MOVED, data={"task": 1})
    publisher = _publisher(redis_server.url)
    publisher.send_task(
        "integrations.tasks.event_dispatch_task", kwargs={"event_id": str(event.pk)}
    )

    _wait(lambda: len(hanging_receiver.requests) >= 1, 30, "the first POST", log)
    children = _pool_children(worker.pid)
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)  # mid-delivery: the receiver has not answered
    killed_at = time.monotonic()

    delivery = WebhookDelivery.objects.get(event=event, webhook=webhook)

    def delivered() -> bool:
        delivery.refresh_from_db()
        return delivery.status == "succeeded"

    _wait(delivered, REDELIVERY_BOUND, "the redelivered task to redo the delivery", log)
    redone_in = time.monotonic() - killed_at

    assert redone_in < REDELIVERY_BOUND
    assert worker.poll() is None  # the worker itself lives on with a new pool process
    first, second = hanging_receiver.requests[:2]
    # The receiver can dedupe: same delivery id, same signed body.
    assert first[0]["X-Internboard-Delivery"] == second[0]["X-Internboard-Delivery"]
    assert first[0]["X-Internboard-Delivery"] == str(delivery.pk)
    assert first[1] == second[1]
    assert len(hanging_receiver.requests) == 2  # nothing sent a third time
    assert delivery.attempts == 2
    lost, done = DeliveryAttempt.objects.filter(delivery=delivery).order_by("number")
    assert "lost" in lost.error
    assert (done.ok, done.status_code) == (True, 200)
