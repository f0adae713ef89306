"""Entry point of a spawned process that counts in a shared file cache (test_file_cache.py)."""

from __future__ import annotations


def count(location: str, times: int) -> int:
    from frontdesk.core.file_cache import FileCache

    cache = FileCache(location, {})
    added = 0
    for _ in range(times):
        if cache.add("hits", 1, timeout=60):
            added += 1
        else:
            cache.incr("hits")
    return added
