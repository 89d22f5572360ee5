"""Probes: liveness and readiness for load balancers, a dependency report for monitoring.

- ``/healthz`` (liveness): 200 while the process serves requests; touches
  nothing. Restart the process when it fails.
- ``/readyz`` (readiness): 200 when the database answers with every migration
  applied, else 503. Only the database: pages and the API survive a Redis
  outage (the cache degrades to empty, the throttle opens, queued work waits
  for the outbox sweeps), so a broker outage must not pull every web node out
  of the load balancer.
- ``/statusz`` (dependency report): the state of the database, the broker,
  the outbox (age of the oldest undispatched event) and the workers (age of
  the last heartbeat); 503 when any of them is not ok. For monitoring and
  alerting, not for load balancers. It is public and so holds only states
  and ages in seconds: no addresses, no error messages (those go to the log).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK, DOWN, NOT_USED = "ok", "down", "not used"
HEARTBEAT_KEY = "health:worker-heartbeat"
HEARTBEAT_STALE_AFTER = 120  # seconds; beat queues a heartbeat every 30 s
# The sweep re-queues events left undispatched for a minute, every minute:
# older than this, nothing is dispatching them.
OUTBOX_LAG_LIMIT = 300  # seconds
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@shared_task
def worker_heartbeat_task() -> None:
    """Beat queues this every 30 s; a worker running it proves the queue is being consumed."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 60 * 60)


@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """200 while the process serves requests; touches no dependency."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    """None when the database answers with every migration applied, else what is wrong."""
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("Health: database check failed: %s", error)
        return "database unreachable"
    if pending:
        return f"{len(pending)} migration(s) not applied"
    return None


@never_cache
@require_GET
def readyz_view(request: HttpRequest) -> JsonResponse:
    """200 when the database answers with every migration applied; else 503 saying why."""
    problem = _check_database()
    if problem:
        return JsonResponse({"status": "unavailable", "failed": {"database": problem}}, status=503)
    return JsonResponse({"status": "ok"})


def _uses_broker() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith(
        _REDIS_SCHEMES
    )


def _broker_report() -> dict[str, Any]:
    if not _uses_broker():
        return {"status": NOT_USED}  # tasks run in-process
    import redis

    timeout = settings.REDIS_SOCKET_TIMEOUT
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        logger.warning("Health: broker check failed: %s", error)
        return {"status": DOWN}
    finally:
        client.close()
    return {"status": OK}


def _outbox_report(database_ok: bool) -> dict[str, Any]:
    if not database_ok:
        return {"status": "unknown", "oldest_undispatched_seconds": None}
    # Imported here: config is loaded before the apps it serves.
    from integrations.selectors import oldest_undispatched_event_at

    oldest = oldest_undispatched_event_at()
    if oldest is None:
        return {"status": OK, "oldest_undispatched_seconds": None}
    age = max(0, round((timezone.now() - oldest).total_seconds()))
    status = OK if age <= OUTBOX_LAG_LIMIT else "lagging"
    return {"status": status, "oldest_undispatched_seconds": age}


def _worker_report() -> dict[str, Any]:
    if not _uses_broker():
        return {"status": NOT_USED, "last_heartbeat_seconds": None}
    beat = cache.get(HEARTBEAT_KEY)  # None with Redis down, too: the cache degrades to empty
    if not isinstance(beat, int | float):
        return {"status": "stale", "last_heartbeat_seconds": None}
    age = max(0, round(time.time() - beat))
    status = OK if age <= HEARTBEAT_STALE_AFTER else "stale"
    return {"status": status, "last_heartbeat_seconds": age}


@never_cache
@require_GET
def statusz_view(request: HttpRequest) -> JsonResponse:
    """Every dependency's state; 200 when all are ok (or not used), else 503."""
    database_ok = _check_database() is None
    checks = {
        "database": {"status": OK if database_ok else DOWN},
        "broker": _broker_report(),
        "outbox": _outbox_report(database_ok),
        "worker": _worker_report(),
    }
    healthy = all(check["status"] in {OK, NOT_USED} for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
