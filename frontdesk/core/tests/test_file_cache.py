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


def _expiry_on_disk(cache: FileCache, key: str) -> float | None:
    import pickle

    with open(cache._key_to_file(key), "rb") as f:
        expiry: float | None = pickle.load(f)
    return expiry


def test_a_counter_with_no_expiry_keeps_none_after_incr(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {})
    cache.set("frontdesk:viewcounts:generation", 1000, timeout=None)
    assert cache.incr("frontdesk:viewcounts:generation") == 1001
    assert cache.incr("frontdesk:viewcounts:generation", 5) == 1006
    assert _expiry_on_disk(cache, "frontdesk:viewcounts:generation") is None, "not reset to the default 300 s"
    assert FileCache(str(tmp_path), {}).get("frontdesk:viewcounts:generation") == 1006


def test_incr_keeps_the_deadline_the_counter_was_added_with(tmp_path: Path, monkeypatch) -> None:
    import time

    cache = FileCache(str(tmp_path), {})
    assert cache.add("ratelimit:token:1:1", 1, timeout=61)
    deadline = _expiry_on_disk(cache, "ratelimit:token:1:1")
    assert deadline is not None
    assert cache.incr("ratelimit:token:1:1") == 2
    assert _expiry_on_disk(cache, "ratelimit:token:1:1") == deadline
    monkeypatch.setattr(time, "time", lambda: deadline + 1)  # the window is over: the counter is gone
    with pytest.raises(ValueError):
        cache.incr("ratelimit:token:1:1")
    assert cache.get("ratelimit:token:1:1") is None


def test_incr_of_a_missing_key_raises_as_django_does(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {})
    with pytest.raises(ValueError):
        cache.incr("absent")
    assert cache.get("absent") is None


def test_rewriting_a_key_lists_no_directory_and_new_keys_are_culled_now_and_then(tmp_path: Path, monkeypatch) -> None:
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 20000}})
    listings: list[int] = []
    real = cache._list_cache_files

    def listing() -> list[str]:
        files = real()
        listings.append(len(files))
        return files

    monkeypatch.setattr(cache, "_list_cache_files", listing)
    cache.set("n", 1, timeout=None)
    cache.set("k", "v")
    listings.clear()
    for i in range(50):
        cache.incr("n")
        cache.set("k", i)
    assert listings == [], "an incr or a rewrite makes no room: the directory is not listed"
    for i in range(2000):
        cache.set(f"new{i}", i)
    assert 0 < len(listings) < 100, "about one new key in 200 looks at the directory, not every one"
    assert cache.get("n") == 51 and cache.get("k") == 49


def test_a_small_cache_is_still_culled_as_django_culls_it(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 3}})
    for i in range(100):
        cache.set(f"k{i}", i)
    assert len(cache._list_cache_files()) <= 30
    assert cache.get("k99") == 99


def test_a_rewrite_replaces_the_file_and_leaves_no_other(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {})
    cache.set("k", "old")
    cache.set("k", "new")
    assert cache.add("n", 1) and cache.incr("n") == 2 and cache.incr("n") == 3
    assert cache.get("k") == "new" and cache.get("n") == 3
    files = {p.name for p in Path(cache._dir).iterdir()} - {"counters.lock"}
    assert files == {Path(cache._key_to_file(key)).name for key in ("k", "n")}