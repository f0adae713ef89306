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

from frontdesk.channels.email.intake_process import Child, process_taken
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
        self._child = Child()  # with INTAKE_PROCESSES: the child process that processes instead

    def submit(self, inbound: InboundEmail) -> InboundEmail:
        """Hand over a stored message; processed at once with ``INTAKE_IMMEDIATE``."""
        if settings.INTAKE_IMMEDIATE:
            return process_inbound(inbound.pk)
        if settings.INTAKE_PROCESSES:
            self._child.submit(inbound.pk)
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
            self._child.start()

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted message has been processed; False if it took longer."""
        if settings.INTAKE_PROCESSES:
            return self._child.drain(timeout)
        with self._lock:
            return self._wake.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _take(self) -> list[int]:
        with self._lock:
            self._wake.wait_for(lambda: bool(self._pending))
            ids = [self._pending.popleft() for _ in range(min(BATCH_SIZE, len(self._pending)))]
            self._busy = len(ids)
            return ids

    def _run(self) -> None:
        while True:
            left = process_taken(self._take())
            with self._lock:
                self._pending.extendleft(reversed(left))
                self._busy = 0
                self._wake.notify_all()

    def finish(self) -> None:
        """At a clean stop: process what was acknowledged (a kill leaves it to the sweep)."""
        self._child.finish()
        if self._thread is not None and self._thread.is_alive():
            self.drain(timeout=20)
            connections.close_all()


intake = Intake()
atexit.register(intake.finish)
