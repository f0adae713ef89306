"""The embedded shape's cache: Django's file cache under the var dir, shared by every process on
the machine, with ``add`` and ``incr`` made atomic (decision 0009).

Django's file cache implements ``add`` as "has_key, then set" and ``incr`` as "get, then set",
so two requests at once can both "add" or lose an increment — and the sign-in throttle and the
API rate limit count with those. Here both hold an exclusive ``flock`` on one lock file in the
cache directory, which excludes other threads and other processes alike.

Two more differences from Django's backend, both for the cost of a write:

- ``incr`` rewrites the counter with the expiry it had (as Redis's INCRBY keeps a key's TTL):
  Django's ``incr`` is ``set`` with the default timeout, which gave a counter stored with no
  expiry (the view counts' generation) or with its own window (the throttle, the rate limit) a
  fresh 300 seconds at every increment.
- The cull, which lists the whole directory (Django does it on every ``set``; ~7 ms at 2,000
  entries), runs only when a write creates a file (a rewrite or an ``incr`` makes no room), and
  then on about one such write in ``MAX_ENTRIES / CULL_CHECK_SHARE`` (one in 200 at the 20,000
  the settings give), drawn at random so that the rate holds however many processes write. The
  cache may so pass ``MAX_ENTRIES`` by a few hundred files before a cull brings it back under; a
  ``MAX_ENTRIES`` under 200 is checked on every new file, as Django does.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import random
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

CULL_CHECK_SHARE = 100  # look at the directory on about one new file in MAX_ENTRIES / 100


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

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._createdir()  # type: ignore[attr-defined]  # the directory can be deleted at any time
        fname = self._key_to_file(key, version)  # type: ignore[attr-defined]
        if not os.path.exists(fname):
            self._maybe_cull()
        self._write(fname, self.get_backend_timeout(timeout), value)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        fname = self._key_to_file(key, version)  # type: ignore[attr-defined]
        with self._exclusive():
            try:
                with open(fname, "rb") as f:
                    try:
                        expiry = pickle.load(f)  # noqa: S301 - our own files, in a directory only we write (0700)
                    except EOFError:
                        expiry = 0  # an empty file is expired, as Django reads it
                    if expiry is not None and expiry < time.time():
                        f.close()
                        self._delete(fname)  # type: ignore[attr-defined]
                        raise ValueError(f"Key '{key}' not found")
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301 - as above
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            new_value = value + delta
            self._write(fname, expiry, new_value)  # the expiry it had: not a fresh default timeout
            return new_value

    def _write(self, fname: str, expiry: float | None, value: Any) -> None:
        """Write ``value`` with the absolute ``expiry`` (None: never) to ``fname``, atomically."""
        directory: str = self._dir  # type: ignore[attr-defined]
        fd, tmp_path = tempfile.mkstemp(dir=directory)
        moved = False
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            os.replace(tmp_path, fname)
            moved = True
        finally:
            if not moved:
                os.remove(tmp_path)

    def _maybe_cull(self) -> None:
        max_entries: int = self._max_entries
        every = max(1, max_entries // CULL_CHECK_SHARE)
        if every == 1 or random.randrange(every) == 0:  # at random: it holds across processes
            self._cull()  # type: ignore[attr-defined]
