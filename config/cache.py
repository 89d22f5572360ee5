"""A Redis cache that degrades to "empty" while Redis is unreachable.

The cache only holds what can be lost: API throttle counters and the worker
heartbeat. So an outage must cost a request nothing but a short wait: every
operation answers as an empty cache would (a miss, nothing stored) and logs a
warning, instead of raising into the request (which made every API call a
500). After a failure, Redis is not asked again for ``RETRY_AFTER`` seconds,
so a frozen Redis costs one socket timeout per process per interval rather
than one per call, and the log gets one line per interval, not per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import redis.exceptions
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# What an unreachable, frozen or failing Redis raises (timeouts and refused
# connections are RedisError subclasses; a few socket errors come through raw).
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)

T = TypeVar("T")


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache; while Redis is unreachable it behaves as an empty cache."""

    RETRY_AFTER = 5.0  # seconds to treat Redis as down after a failure

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0

    def _degrade(self, operation: str, fallback: T, call: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except CACHE_ERRORS as error:
            self._down_until = time.monotonic() + self.RETRY_AFTER
            logger.warning(
                "Cache unreachable (%s: %s); serving without it for %.0f s.",
                operation,
                error,
                self.RETRY_AFTER,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._degrade("add", False, partial(super().add, key, value, timeout, version))

    def get(self, key, default=None, version=None) -> Any:
        return self._degrade("get", default, partial(super().get, key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._degrade("set", None, partial(super().set, key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._degrade("touch", False, partial(super().touch, key, timeout, version))

    def delete(self, key, version=None) -> bool:
        return self._degrade("delete", False, partial(super().delete, key, version))

    def get_many(self, keys, version=None) -> dict:
        return self._degrade("get_many", {}, partial(super().get_many, keys, version))

    def has_key(self, key, version=None) -> bool:
        return self._degrade("has_key", False, partial(super().has_key, key, version))

    def incr(self, key, delta=1, version=None) -> int:
        missing = object()
        value = self._degrade("incr", missing, partial(super().incr, key, delta, version))
        if value is missing:
            # What incr() says of a key that is not there: callers already handle it.
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        # The contract: the keys that failed to be stored (here, all of them).
        return self._degrade(
            "set_many", list(data), partial(super().set_many, data, timeout, version)
        )

    def delete_many(self, keys, version=None) -> None:
        self._degrade("delete_many", None, partial(super().delete_many, keys, version))

    def clear(self) -> bool:
        return self._degrade("clear", False, partial(super().clear))
