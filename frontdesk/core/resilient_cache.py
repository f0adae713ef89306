"""Django's Redis cache, except that Redis being down degrades the cache instead of breaking requests.

Everything the scaled shape keeps in the cache can be recomputed or forgotten: configuration read
on every write (frontdesk.core.cache), view counts (frontdesk.tickets.queue_selectors), the sign-in throttle
and the API rate limit (frontdesk.accounts). So while Redis restarts, every operation that cannot
reach it behaves as if the cache were empty and logs a warning at most every ``WARN_EVERY`` seconds
per cache object (Django keeps one per thread; measured: one warning for a 3 s outage with ~150
requests), with how many operations degraded meanwhile, instead of raising into the request:

- ``get`` returns the default and ``get_many`` nothing: the caller computes the value again;
- ``add`` returns True and ``set``/``set_many`` return as if stored: a miss, as on an empty cache;
- ``incr`` returns ``delta``: a fresh counter, so the throttle and the rate limit *fail open* for
  as long as Redis is unreachable (see their docstrings: refusing every sign-in and API call
  because a cache is down would turn a Redis restart into a full outage);
- ``delete`` returns False: an invalidation made during the outage is lost, so a value another
  process cached just before lives until its timeout (at most 5 minutes for configuration).

Only connection errors and timeouts degrade; any other Redis error (a wrong type, a script error)
is a bug and raises. The socket timeouts in settings.CACHES keep an unreachable (not refusing)
Redis from holding a request, and after a failure the cache skips Redis for ``SKIP_AFTER_FAILURE``
seconds, so a request making several cache calls pays for a timeout at most once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("frontdesk.cache")

T = TypeVar("T")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 10.0
SKIP_AFTER_FAILURE = 1.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._degraded = 0
        self._warned_at = -WARN_EVERY

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < self._skip_until:
            self._note(operation, None)
            return fallback
        try:
            return call()
        except UNREACHABLE as exc:
            self._skip_until = time.monotonic() + SKIP_AFTER_FAILURE
            self._note(operation, exc)
            return fallback

    def _note(self, operation: str, exc: Exception | None) -> None:
        now = time.monotonic()
        with self._lock:
            self._degraded += 1
            if now - self._warned_at < WARN_EVERY:
                return
            count, self._degraded, self._warned_at = self._degraded, 0, now
        reason = f"{type(exc).__name__}: {exc}" if exc is not None else "skipped after a recent failure"
        log.warning("Redis cache unreachable, %d cache operation(s) degraded to misses (this one: %s, %s)",
                    count, operation, reason)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard("add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), True)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard("set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard("touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guard("get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._guard("incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list:
        return self._guard("set_many", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), [])

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._guard("delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), None)
