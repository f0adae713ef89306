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


def process_taken(ids: list[int]) -> list[int]:
    """One batch of an intake (thread or child); the ids it left for the next (out of time). A
    failure is logged: its messages stay stored as received, for the sweep."""
    from frontdesk.channels.email.pipeline.receive import process_batch

    left: list[int] = []
    try:
        _, left = process_batch(ids)  # left: cut short by the batch's time budget
    except Exception:  # noqa: BLE001 - they stay stored as received: the sweep processes them
        logger.exception("processing %d stored messages failed; they stay stored", len(ids))
    finally:
        close_old_connections()
    return left


def _ids(data: bytes) -> list[int]:
    return [int(line) for line in data.split(b"\n") if line.strip().isdigit()]


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """The child's side: read ids as they come, process them in batches, answer each batch's count.

    It takes what has arrived while the last batch ran (up to ``BATCH_SIZE`` at a time), so batches
    grow with the load and their commit is shared; it ends when its input closes and nothing is left."""
    from frontdesk.channels.email.pipeline.receive import BATCH_SIZE

    fd = (stdin or sys.stdin.buffer).fileno()
    out = stdout or sys.stdout.buffer
    pending: deque[int] = deque()
    partial, closed = b"", False
    while pending or not closed:
        if not closed and len(pending) < BATCH_SIZE and select.select([fd], [], [], None if not pending else 0)[0]:
            chunk = os.read(fd, 65536)
            closed = not chunk
            lines, _, partial = (partial + chunk).rpartition(b"\n")
            pending.extend(_ids(lines + (b"\n" + partial if closed else b"")))
            continue  # read all that is there before taking a batch
        ids = [pending.popleft() for _ in range(min(BATCH_SIZE, len(pending)))]
        if not ids:
            continue
        left = process_taken(ids)
        pending.extendleft(reversed(left))
        out.write(b"%d\n" % (len(ids) - len(left)))
        out.flush()
