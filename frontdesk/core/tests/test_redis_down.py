"""Redis down: the scaled shape's cache degrades to misses (and works as Django's otherwise), and a lost
after-commit nudge to the task queue is one log line, not a traceback per request.

Unreachable is real here: a port nobody listens on (refused at once), and a socket that accepts and
never answers (the read timeout), so the timeouts in settings.CACHES are what is tested.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from frontdesk.core.resilient_cache import ResilientRedisCache
from frontdesk.core.unavailable import note_enqueue_failure
from frontdesk.testing.private_servers import free_port
from frontdesk.testing.services import redis_url

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def _cache(location: str, prefix: str = "fdtest-resilient") -> ResilientRedisCache:
    return ResilientRedisCache(location, {"OPTIONS": OPTIONS, "KEY_PREFIX": prefix})


def test_every_operation_degrades_to_a_miss_when_redis_refuses(caplog) -> None:
    cache = _cache(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="frontdesk.cache"):
        assert cache.get("k", "default") == "default"
        assert cache.add("k", 1) is True  # as on an empty cache: the caller's counter starts afresh
        assert cache.incr("k", 3) == 3
        cache.set("k", 1)
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1}) == []
        assert cache.delete("k") is False
        assert cache.has_key("k") is False
        assert cache.touch("k") is False
        cache.delete_many(["a", "b"])
        cache.clear()
        assert cache.get_or_set("k", lambda: "computed") == "computed"
    warnings = [r for r in caplog.records if r.name == "frontdesk.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # rate-limited, not one per call
    assert "Redis cache unreachable" in warnings[0].getMessage()


class SilentServer:
    """A TCP port that accepts connections and never answers (a hung Redis, a black-holed route),
    counting the connections made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self.peers: list[object] = []  # the address of each accepted connection's other end
        self.markers: set[object] = set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, peer = self.sock.accept()
                self.accepted.append(conn)
                self.peers.append(peer)

    def connections(self) -> int:
        """The connections made to it so far (the test's markers left out), counted once the accepting
        thread has caught up: a marker connection is made and waited for. The listen backlog is first
        in, first out, so every connection made before the marker has been accepted by then."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as marker:
            mine = marker.getsockname()
            self.markers.add(mine)
            assert _within(30, lambda: mine in self.peers), "the silent server did not accept a connection"
        return sum(peer not in self.markers for peer in list(self.peers))

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


def test_a_redis_that_never_answers_costs_one_read_timeout_then_is_skipped(
    silent_server: SilentServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.core import resilient_cache

    # "recent" is a second in production; long enough here that a slow machine is still within it
    monkeypatch.setattr(resilient_cache, "SKIP_AFTER_FAILURE", 600.0)
    cache = _cache(f"redis://127.0.0.1:{silent_server.port}/0")
    with caplog.at_level(logging.WARNING, logger="frontdesk.cache"):
        assert cache.get("k", "default") == "default"
    reasons = [r.getMessage() for r in caplog.records if r.name == "frontdesk.cache"]
    assert len(reasons) == 1 and "TimeoutError" in reasons[0], reasons  # it waited for the read timeout, gave up
    tried = silent_server.connections()
    assert tried >= 1
    for _ in range(5):  # a request's other cache calls: skipped while the failure is recent
        assert cache.add("k", 1) is True
    assert silent_server.connections() == tried, "a call tried the hung server again"


def _within(seconds: float, condition) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def test_the_sign_in_throttle_and_the_api_rate_limit_fail_open_while_redis_is_down(settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "frontdesk.core.resilient_cache.ResilientRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0", "OPTIONS": OPTIONS}}
    settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP = 2
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    from frontdesk.accounts.api_auth import _rate_limit
    from frontdesk.accounts.auth import check_sign_in_allowed, note_sign_in_failure

    for _ in range(5):
        note_sign_in_failure("victim@example.com", "198.51.100.1")
        _rate_limit("token:1")
    check_sign_in_allowed("victim@example.com", "198.51.100.1")  # no RateLimited: the choice is to fail open


def test_over_a_real_redis_it_is_djangos_redis_cache() -> None:
    cache = _cache(redis_url(), prefix="fdtest-resilient-real")
    cache.delete_many(["n", "k"])
    assert cache.add("n", 1, timeout=60) is True
    assert cache.add("n", 1, timeout=60) is False
    assert cache.incr("n", 2) == 3
    with pytest.raises(ValueError):
        cache.incr("missing-key")  # unchanged: callers rely on it to start their counters
    cache.set_many({"k": {"a": 1}}, timeout=60)
    assert cache.get_many(["k", "absent"]) == {"k": {"a": 1}}
    cache.delete_many(["n", "k"])


def test_a_nudge_lost_to_an_unreachable_queue_is_one_line_and_a_bug_keeps_its_traceback(caplog) -> None:
    import redis

    try:
        redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5).ping()
    except redis.ConnectionError as exc:
        refused = exc
    with caplog.at_level(logging.WARNING, logger="frontdesk.unavailable"):
        note_enqueue_failure("dispatch of event 7", refused)
        note_enqueue_failure("dispatch of event 8", TypeError("a bug"))
    outage, bug = caplog.records
    assert outage.levelno == logging.WARNING and outage.exc_info is None
    assert "task queue unreachable, dispatch of event 7 left for the periodic re-drive" in outage.getMessage()
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
