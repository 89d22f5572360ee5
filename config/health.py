"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """200 while the process serves requests; touches no dependency."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readyz: database check failed: %s", error)
        return "database unreachable"
    if pending:
        return f"{len(pending)} migration(s) not applied"
    return None


def _check_broker() -> str | None:
    if not settings.REDIS_URL:
        return None  # tasks run in-process: no broker to wait for
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except (redis.RedisError, OSError) as error:
        logger.warning("readyz: broker check failed: %s", error)
        return "broker unreachable"
    return None


@never_cache
@require_GET
def readyz_view(request: HttpRequest) -> JsonResponse:
    """200 when the database answers with every migration applied and the broker answers.

    Otherwise 503 with ``failed`` naming each check that failed.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    failed = {name: problem for name, problem in checks.items() if problem}
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})
