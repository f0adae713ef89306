"""The embedded shape's cache: Django's file cache under the var dir, shared by every process on
the machine, with ``add`` and ``incr`` made atomic (decision 0009).

Django's file cache implements ``add`` as "has_key, then set" and ``incr`` as "get, then set",
so two requests at once can both "add" or lose an increment — and the sign-in throttle and the
API rate limit count with those. Here both hold an exclusive ``flock`` on one lock file in the
cache directory, which excludes other threads and other processes alike.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        directory: str = self._dir  # type: ignore[attr-defined]  # set by FileBasedCache, untyped in the stubs
        os.makedirs(directory, 0o700, exist_ok=True)
        with open(os.path.join(directory, "counters.lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:  # type: ignore[override]
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        with self._exclusive():
            return super().incr(key, delta, version)
