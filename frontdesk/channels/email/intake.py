"""The receivers' hand-off to the pipeline: acknowledge once stored, process in batches behind.

The LMTP listener and the HTTP endpoint store each message (committed, its own transaction) and
hand its id here before they answer; a thread of the receiving process then processes what has
come in, many messages per transaction (``process_batch``: one commit, a savepoint each). So the
sender's wait is one durable write, and the pipeline's commits are shared by all the messages
that arrived meanwhile (docs/decisions/0011-email-intake-acknowledged-when-stored.md).

Nothing acknowledged is lost if the process dies: a stored message stays ``received`` until the
transaction that processed it commits, and the worker's sweep (``process_stuck``) processes what a
stopped receiver left. With ``INTAKE_IMMEDIATE`` (the tests' setting, following
``HUEY_IMMEDIATE``) a message is processed before ``submit`` returns.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import deque

from django.conf import settings
from django.db import close_old_connections, connections

from frontdesk.channels.email.models import InboundEmail
from frontdesk.channels.email.pipeline.receive import BATCH_SIZE, process_batch, process_inbound

logger = logging.getLogger(__name__)


class Intake:
    """One per process: a queue of stored ids and the thread that processes them."""

    def __init__(self) -> None:
        self._pending: deque[int] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._busy = 0  # ids taken by the thread and not processed yet
        self._thread: threading.Thread | None = None

    def submit(self, inbound: InboundEmail) -> InboundEmail:
        """Hand over a stored message; processed at once with ``INTAKE_IMMEDIATE``."""
        if settings.INTAKE_IMMEDIATE:
            return process_inbound(inbound.pk)
        with self._lock:
            self._pending.append(inbound.pk)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="frontdesk-intake", daemon=True)
                self._thread.start()
            self._wake.notify()
        return inbound

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted message has been processed; False if it took longer."""
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
            ids = self._take()
            left: list[int] = []
            try:
                _, left = process_batch(ids)  # left: cut short by the batch's time budget
            except Exception:  # noqa: BLE001 - they stay stored as received: the sweep processes them
                logger.exception("processing %d stored messages failed; they stay stored", len(ids))
            finally:
                close_old_connections()
            with self._lock:
                self._pending.extendleft(reversed(left))
                self._busy = 0
                self._wake.notify_all()

    def finish(self) -> None:
        """At a clean stop: process what was acknowledged (a kill leaves it to the sweep)."""
        if self._thread is not None and self._thread.is_alive():
            self.drain(timeout=20)
            connections.close_all()


intake = Intake()
atexit.register(intake.finish)
