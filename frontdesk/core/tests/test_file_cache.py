"""The embedded shape's cache is shared by the processes on one machine, and its counters (the
sign-in throttle, the API rate limit) lose no count when processes and threads race."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from frontdesk.core.file_cache import FileCache
from frontdesk.core.tests.file_cache_child import count


def test_the_embedded_cache_is_the_shared_file_cache() -> None:
    if getattr(settings, "REDIS_URL", ""):
        pytest.skip("the scaled shape caches in Redis (tests/test_scaled_redis.py)")
    assert settings.CACHES["default"]["BACKEND"] == "frontdesk.core.file_cache.FileCache"
    assert Path(settings.CACHES["default"]["LOCATION"]).is_relative_to(settings.VAR_DIR)


def test_an_invalidation_in_one_process_is_seen_by_another(tmp_path: Path) -> None:
    server, cron_job = FileCache(str(tmp_path), {}), FileCache(str(tmp_path), {})
    server.set("frontdesk:bell:7", 3)
    cron_job.delete("frontdesk:bell:7")
    assert server.get("frontdesk:bell:7") is None


def test_counters_lose_nothing_across_processes_and_threads(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        processes = pool.starmap_async(count, [(str(tmp_path), 150)] * 3)
        with ThreadPoolExecutor(4) as threads:
            here = list(threads.map(lambda _: count(str(tmp_path), 150), range(4)))
        there = processes.get(timeout=120)
    assert sum(here) + sum(there) == 1, "exactly one caller creates the counter"
    assert FileCache(str(tmp_path), {}).get("hits") == 7 * 150
