"""The intake's processing in a child process of the receiver (``INTAKE_PROCESSES``, ADR 0014).

A receiver (the LMTP listener, a web process taking the HTTP endpoint) spends its Python time on
receiving; processing what it stored takes more. In one process they share one interpreter lock
and so one core, however many the machine has. Here the receiver writes each stored id as a line
to a child process's stdin, and the child (`frontdesk mail intake`, ``serve``) processes the ids
in batches (``process_batch``) as they come, on the other core, and answers one line per batch
with how many of its ids are done, so the receiver can wait for them at a clean stop.

Nothing changes for exactly-once: a stored message stays ``received`` until the transaction that
processed it commits. A child that dies leaves its ids ``received`` for the worker's sweep
(``process_stuck``, which quarantines a message that kills its worker every time), and the next
submit starts a new child. A receiver that dies closes the child's stdin: the child processes
what it was given, then exits.
"""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import threading
import time
import zlib
from collections import deque
from typing import IO

from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Child:
    """The receiver's side: one child process, started on the first submit and again after it died."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._outstanding = 0  # ids written to the child that it has not answered for

    def submit(self, pk: int) -> None:
        """Hand one stored id to the child; never raises (an id not handed over waits for the sweep)."""
        with self._lock:
            proc = self._proc if self._proc is not None and self._proc.poll() is None else self._start()
            try:
                assert proc.stdin is not None
                proc.stdin.write(b"%d\n" % pk)
                proc.stdin.flush()
            except OSError:
                logger.warning("the intake process has stopped; inbound %s waits for the sweep", pk)
                self._proc = None
                return
            self._outstanding += 1

    def start(self) -> None:
        """Start the child now, not at the first message (a receiver that exists to receive mail)."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(  # noqa: S603 - our own command, no shell
            [sys.executable, "-m", "frontdesk.cli", "mail", "intake"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
        )
        self._proc, self._outstanding = proc, 0
        threading.Thread(target=self._read, args=(proc,), name="frontdesk-intake-answers", daemon=True).start()
        return proc

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.strip().isdigit():
                continue  # not an answer (a warning printed at start)
            with self._lock:
                if self._proc is proc:
                    self._outstanding = max(0, self._outstanding - int(line))
                    self._done.notify_all()
        code = proc.wait()
        with self._lock:
            if self._proc is proc:  # died: what it held stays received, for the sweep
                if self._outstanding:
                    logger.warning("the intake process stopped (exit %s) with %d messages left to the sweep",
                                   code, self._outstanding)
                self._proc, self._outstanding = None, 0
                self._done.notify_all()

    def drain(self, timeout: float) -> bool:
        with self._lock:
            return self._done.wait_for(lambda: not self._outstanding, timeout)

    def finish(self, timeout: float = 20.0) -> None:
        """Close the child's input: it processes what it was given, then exits (killed after ``timeout``)."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Children:
    """``INTAKE_PROCESSES`` children, each message given to one by its sender (ADR 0015): one
    sender's messages are processed in the order they came, by one child. A reply to a message
    another child has not committed yet waits for it (``Waiting``)."""

    def __init__(self, count: int) -> None:
        self._children = [Child() for _ in range(max(1, count))]

    def submit(self, pk: int, sender_key: str = "") -> None:
        self._children[zlib.crc32(sender_key.encode()) % len(self._children)].submit(pk)

    def start(self) -> None:
        for child in self._children:
            child.start()

    def drain(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        return all(child.drain(max(0.0, deadline - time.monotonic())) for child in self._children)

    def finish(self, timeout: float = 20.0) -> None:
        for child in self._children:
            child.finish(timeout)


DEFER_SECONDS = 10.0  # a reply waits this long at most for the message it answers, then for the sweep
RETRY_SECONDS = 0.02  # how often waiting replies are offered again


class Waiting:
    """Replies an intake put aside (``process_batch(deferred=…)``) until the rows they wait for
    are processed: checked every ``RETRY_SECONDS`` in one query, and offered again once those have
    committed. One that still waits after ``DEFER_SECONDS`` is given up to the sweep, which takes
    stored mail one at a time in the order it came (the message it answers is stuck: the process
    that held it died)."""

    def __init__(self) -> None:
        self._on: dict[int, tuple[float, list[int]]] = {}  # id → (when first put aside, the rows it waits for)
        self._offered: dict[int, float] = {}  # the ids of the last offer, with when they were first put aside
        self._next = 0.0

    def __len__(self) -> int:
        return len(self._on)

    def wait(self) -> float:
        """Seconds until the next check (0: due now)."""
        return max(0.0, self._next - time.monotonic()) if self._on else 0.0

    def offer(self, limit: int) -> tuple[list[int], int]:
        """(the waiting ids to process now, oldest first: what they waited for is done; how many
        were given up to the sweep). Nothing before the next check is due."""
        now = time.monotonic()
        if not self._on or now < self._next:
            return [], 0
        from frontdesk.channels.email.models import InboundEmail, InboundStatus

        given_up = [pk for pk, (since, _) in self._on.items() if now - since > DEFER_SECONDS]
        for pk in given_up:
            logger.warning("inbound %s waited %.0f s for the message it answers; left to the sweep",
                           pk, now - self._on.pop(pk)[0])
        rows = {row for _, on in self._on.values() for row in on}
        try:
            still = set(InboundEmail.objects.filter(pk__in=rows, status=InboundStatus.RECEIVED)
                        .values_list("pk", flat=True)) if rows else set()
        except Exception:  # noqa: BLE001 - the database is away: they wait on (at most DEFER_SECONDS)
            logger.exception("could not check what %d waiting replies wait for", len(self._on))
            still = rows
        ready = sorted(pk for pk, (_, on) in self._on.items() if still.isdisjoint(on))[:limit]
        self._offered = {pk: self._on.pop(pk)[0] for pk in ready}
        self._next = now + RETRY_SECONDS
        return ready, len(given_up)

    def put(self, deferred: dict[int, list[int]]) -> None:
        """Put aside what a batch deferred (a reply offered again keeps its first time)."""
        now = time.monotonic()
        for pk, on in deferred.items():
            self._on[pk] = (self._offered.get(pk, now), on)
        self._offered = {}
        self._next = max(self._next, now + RETRY_SECONDS) if deferred else self._next


def process_taken(ids: list[int], deferred: dict[int, list[int]] | None = None) -> list[int]:
    """One batch of an intake (thread or child); the ids it left for the next (out of time). A
    failure is logged: its messages stay stored as received, for the sweep. ``deferred``: see
    ``process_batch``."""
    from frontdesk.channels.email.pipeline.receive import process_batch

    left: list[int] = []
    try:
        _, left = process_batch(ids, deferred=deferred)  # left: cut short by the batch's time budget
    except Exception:  # noqa: BLE001 - they stay stored as received: the sweep processes them
        logger.exception("processing %d stored messages failed; they stay stored", len(ids))
        if deferred is not None:
            deferred.clear()
    finally:
        close_old_connections()
    return left


def _ids(data: bytes) -> list[int]:
    return [int(line) for line in data.split(b"\n") if line.strip().isdigit()]


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """The child's side: read ids as they come, process them in batches, answer each batch's count.

    It takes what has arrived while the last batch ran (up to ``BATCH_SIZE`` at a time), so batches
    grow with the load and their commit is shared; it ends when its input closes and nothing is
    left. A reply whose message another process is still processing waits (``Waiting``); it is
    answered for once processed or given up."""
    from frontdesk.channels.email.pipeline.receive import BATCH_SIZE

    fd = (stdin or sys.stdin.buffer).fileno()
    out = stdout or sys.stdout.buffer
    pending: deque[int] = deque()
    waiting = Waiting()
    partial, closed = b"", False
    while pending or waiting or not closed:
        timeout = 0.0 if pending else waiting.wait() if waiting else None
        if not closed and len(pending) < BATCH_SIZE and select.select([fd], [], [], timeout)[0]:
            chunk = os.read(fd, 65536)
            closed = not chunk
            lines, _, partial = (partial + chunk).rpartition(b"\n")
            pending.extend(_ids(lines + (b"\n" + partial if closed else b"")))
            continue  # read all that is there before taking a batch
        if closed and not pending:
            time.sleep(waiting.wait())  # nothing more comes: only waiting replies are left
        ids, given_up = waiting.offer(BATCH_SIZE)
        ids += [pending.popleft() for _ in range(min(BATCH_SIZE - len(ids), len(pending)))]
        deferred: dict[int, list[int]] = {}
        left = process_taken(ids, deferred) if ids else []
        pending.extendleft(reversed(left))
        waiting.put(deferred)
        answered = len(ids) - len(left) - len(deferred) + given_up
        if answered:
            out.write(b"%d\n" % answered)
            out.flush()
