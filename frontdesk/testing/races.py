"""Real races between processes on PostgreSQL, lined up by the database instead of by sleeps.

The test holds a lock the racers need (a row lock on what they are about to change, or an
advisory lock a handler takes), starts them, waits until every one of them is queued on a lock
(a condition read from pg_stat_activity) and only then lets go: they meet for real, whatever the
speed of the machine. Code that does not lock would read the old state before it queues on the
test's lock, and lose an update; code that locks reads after the other racer committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection

# an advisory lock key of the test suite's own (advisory locks are per database: each test
# database, so each pytest-xdist worker, has its own)
GATE = 0x46445243  # "FDRC"


def lock_waiters() -> int:
    """How many other sessions on the test database are waiting for a lock right now."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


def wait_until_queued(racers: int, finished: Callable[[], int], seconds: float = 180) -> None:
    """Until each of `racers` processes waits on a lock or has finished (`finished()` of them).

    The deadline is only a safety net for a racer that never gets there (it fails the test)."""
    deadline = time.monotonic() + seconds
    while lock_waiters() + finished() < racers:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the racers did not all queue on a lock within {seconds} s "
                f"({lock_waiters()} waiting, {finished()} finished of {racers})"
            )
        time.sleep(0.02)  # look again
