"""The task queue's Huey classes: Huey as it ships, except that a task this process does not
know is kept, never dropped.

Huey takes a message off the queue before it looks its task up; when the name is not in the
process's registry (a worker started without an app's tasks module, or a rolling upgrade where an
older worker meets a newer task) it logs "Error reading from queue" and the message is gone. Here
such a message goes back on the schedule, to be tried again (by this worker or another that
knows it) after ``UNKNOWN_TASK_RETRY``, and every time it is seen an error names it;
``frontdesk check`` lists such names from the queue. Imported by settings (through djhuey) before
the apps load: no models here.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import huey
from huey.exceptions import HueyException

log = logging.getLogger("frontdesk.queue")

UNKNOWN_TASK_RETRY = datetime.timedelta(seconds=60)
REDIS_CONNECT_TIMEOUT = 1.0
REDIS_SOCKET_TIMEOUT = 5.0


class KeepUnknownTasks:
    """Mixin for a Huey class: unknown task names are rescheduled, not dropped."""

    storage: Any
    serializer: Any

    def dequeue(self) -> Any:
        data = self.storage.dequeue()
        if data is None:
            return None
        try:
            return self.deserialize_task(data)  # type: ignore[attr-defined]
        except HueyException:
            self._keep(data)
            return None

    def read_schedule(self, timestamp: datetime.datetime | None = None) -> list[Any]:
        if timestamp is None:
            timestamp = self._get_timestamp()  # type: ignore[attr-defined]
        tasks = []
        for data in self.storage.read_schedule(timestamp):
            try:
                tasks.append(self.deserialize_task(data))  # type: ignore[attr-defined]
            except HueyException:
                self._keep(data)
            except Exception:  # unreadable bytes: nothing can run them; the durable rows are re-driven
                log.exception("a scheduled task could not be read and was dropped")
        return tasks

    def _keep(self, data: bytes) -> None:
        name = message_name(self.serializer, data)
        eta = self._get_timestamp() + UNKNOWN_TASK_RETRY  # type: ignore[attr-defined]
        self.storage.add_to_schedule(data, eta)
        log.error(
            "task %s is not registered in this process: kept, tried again at %s. Run `frontdesk check` "
            "here to see which app's tasks are missing.", name, eta.isoformat(timespec="seconds"),
        )


def message_name(serializer: Any, data: bytes) -> str:
    """The task name a queued message asks for, or a placeholder when it cannot be read."""
    try:
        return str(serializer.deserialize(data).name)
    except Exception:
        return "<unreadable message>"


class SqliteHuey(KeepUnknownTasks, huey.SqliteHuey):
    """The embedded shape's queue (a SQLite file under var/)."""


class RedisHuey(KeepUnknownTasks, huey.PriorityRedisHuey):
    """The scaled shape's queue (Redis, with priorities). Its connections time out: a Redis that
    hangs rather than refuses must not hold a request's after-commit nudge (the socket timeout is
    above the consumer's one-second blocking read)."""

    def __init__(self, name: str = "huey", *, url: str | None = None, **kwargs: Any) -> None:
        if url is not None and "connection_pool" not in kwargs:
            import redis

            kwargs["connection_pool"] = redis.ConnectionPool.from_url(
                url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_SOCKET_TIMEOUT
            )
            url = None
        super().__init__(name, url=url, **kwargs)
