"""The receivers' hand-off to the pipeline: acknowledge once stored, process in batches behind.

The LMTP listener and the HTTP endpoint store each message (committed, its own transaction) and
hand its id here before they answer; a thread of the receiving process then processes what has
come in, many messages per transaction (``process_batch``: one commit, a savepoint each). So the
sender's wait is one durable write, and the pipeline's commits are shared by all the messages
that arrived meanwhile (docs/decisions/0011-email-intake-acknowledged-when-stored.md).

Nothing acknowledged is lost if the process dies: a stored message stays ``received`` until the
transaction that processed it commits, and the worker's sweep (``process_stuck``) processes what a
stopped receiver left. With ``INTAKE_IMMEDIATE`` (the tests' setting, following
``HUEY_IMMEDIATE``) a message is processed before ``submit`` returns. With ``INTAKE_PROCESSES``
(the default on PostgreSQL) a child process processes instead of the thread, so receiving and
processing run on two cores (``intake_process``, ADR 0014).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import deque

from django.conf import settings
from django.db import connections

from frontdesk.channels.email.intake_process import Children, Waiting, process_taken
from frontdesk.channels.email.models import InboundEmail
from frontdesk.channels.email.pipeline.receive import BATCH_SIZE, process_inbound

logger = logging.getLogger(__name__)


class Intake:
    """One per process: a queue of stored ids and the thread that processes them."""

    def __init__(self) -> None:
        self._pending: deque[int] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._busy = 0  # ids taken by the thread and not processed yet
        self._thread: threading.Thread | None = None
        self._children: Children | None = None  # with INTAKE_PROCESSES: the child processes that process instead

    def submit(self, inbound: InboundEmail) -> InboundEmail:
        """Hand over a stored message; processed at once with ``INTAKE_IMMEDIATE``."""
        if settings.INTAKE_IMMEDIATE:
            return process_inbound(inbound.pk)
        if settings.INTAKE_PROCESSES:
            self.children().submit(inbound.pk, inbound.sender_key)
            return inbound
        with self._lock:
            self._pending.append(inbound.pk)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="frontdesk-intake", daemon=True)
                self._thread.start()
            self._wake.notify()
        return inbound

    def start(self) -> None:
        """Be ready before the first message: with ``INTAKE_PROCESSES``, start the child process."""
        if settings.INTAKE_PROCESSES and not settings.INTAKE_IMMEDIATE:
            self.children().start()

    def children(self) -> Children:
        with self._lock:
            if self._children is None:
                self._children = Children(settings.INTAKE_PROCESSES)
            return self._children

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted message has been processed; False if it took longer."""
        if settings.INTAKE_PROCESSES:
            return self.children().drain(timeout)
        with self._lock:
            return self._wake.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _take(self, waiting: Waiting) -> list[int]:
        with self._lock:
            self._wake.wait_for(lambda: bool(self._pending), timeout=waiting.wait() if len(waiting) else None)
        ids, _ = waiting.offer(BATCH_SIZE)  # (outside the lock: it asks the database)
        with self._lock:
            ids += [self._pending.popleft() for _ in range(min(BATCH_SIZE - len(ids), len(self._pending)))]
            self._busy = len(ids) + len(waiting)
            if not ids:
                self._wake.notify_all()  # what waited was given up: a drain may be over
            return ids

    def _run(self) -> None:
        waiting = Waiting()  # replies to messages another process has not committed yet (ADR 0015)
        while True:
            ids = self._take(waiting)
            if not ids:
                continue
            deferred: dict[int, list[int]] = {}
            left = process_taken(ids, deferred)
            waiting.put(deferred)
            with self._lock:
                self._pending.extendleft(reversed(left))
                self._busy = len(waiting)
                self._wake.notify_all()

    def finish(self) -> None:
        """At a clean stop: process what was acknowledged (a kill leaves it to the sweep)."""
        if self._children is not None:
            self._children.finish()
        if self._thread is not None and self._thread.is_alive():
            self.drain(timeout=20)
            connections.close_all()


intake = Intake()
atexit.register(intake.finish)
