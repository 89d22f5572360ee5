"""Redis down must not take requests down: the cache degrades to empty, the throttle opens.

Real unreachable Redis, no mocks: port 1 on loopback refuses every
connection. The frozen case (a Redis that accepts and never answers) is in
tests/faults, against a throwaway redis-server.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from config.cache import FailOpenRedisCache
from tests.tasks.factories import make_task

UNREACHABLE = "redis://127.0.0.1:1/0"
TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


def _cache(location: str = UNREACHABLE) -> FailOpenRedisCache:
    return FailOpenRedisCache(location, {"OPTIONS": TIMEOUTS})


def test_an_unreachable_cache_reads_as_empty_and_stores_nothing():
    cache = _cache()
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.delete_many(["a"]) is None
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")  # what a missing key answers: callers handle it already


def test_an_outage_is_logged_once_per_interval_not_per_call(caplog):
    cache = _cache()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        for _ in range(5):
            cache.get("k")
    warnings = [r for r in caplog.records if r.name == "config.cache"]
    assert len(warnings) == 1
    assert "Cache unreachable" in warnings[0].getMessage()


def test_a_reachable_cache_works_as_django_s(redis_url):
    cache = _cache(redis_url)
    cache.set("fail-open-probe", {"n": 1}, timeout=30)
    assert cache.get("fail-open-probe") == {"n": 1}
    cache.set("fail-open-counter", 1, timeout=30)
    assert cache.incr("fail-open-counter") == 2
    cache.delete_many(["fail-open-probe", "fail-open-counter"])


@pytest.fixture
def plain_redis_cache_down(settings):
    """Django's own RedisCache (not ours) on an unreachable Redis: the throttle guards itself."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE,
            "OPTIONS": TIMEOUTS,
        }
    }
    yield
    caches["default"].close()


def test_the_api_throttle_fails_open_when_its_cache_raises(
    mentor, project, plain_redis_cache_down, caplog
):
    task = make_task(project, mentor)
    api = APIClient()
    api.force_login(mentor)
    with caplog.at_level(logging.WARNING, logger="config.api"):
        read = api.get(f"/api/v1/tasks/{task.pk}/")
        write = api.patch(
            f"/api/v1/tasks/{task.pk}/",
            {"title": "Still served", "version": task.version},
            format="json",
        )
    assert read.status_code == 200, read.content
    assert write.status_code == 200, write.content
    assert write.json()["title"] == "Still served"
    assert any("API throttle skipped" in r.getMessage() for r in caplog.records)
