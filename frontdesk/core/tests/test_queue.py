"""A message whose task a consumer does not know is kept and retried, never dropped."""

from __future__ import annotations

import datetime
import logging

import huey
import pytest
from huey.registry import Message

from frontdesk.core.queue import KeepUnknownTasks


class MemoryHuey(KeepUnknownTasks, huey.MemoryHuey):
    pass


def _unknown_message(q: huey.Huey, name: str) -> bytes:
    return q.serializer.serialize(Message("m1", name, None, 0, 0, None, (41,), {}, None, None, None, None))


def test_an_unknown_task_goes_back_on_the_schedule_with_an_error_naming_it(caplog: pytest.LogCaptureFixture) -> None:
    q = MemoryHuey("t", utc=True)
    q.storage.enqueue(_unknown_message(q, "somewhere.tasks.later"), None)
    with caplog.at_level(logging.ERROR, logger="frontdesk.queue"):
        assert q.dequeue() is None
    assert q.storage.queue_size() == 0
    assert q.storage.schedule_size() == 1, "the message is kept, not dropped"
    assert "somewhere.tasks.later is not registered in this process" in caplog.text
    # still unknown when its time comes: kept again rather than lost from the schedule
    later = datetime.datetime.utcnow() + datetime.timedelta(minutes=2)
    assert q.read_schedule(later) == []
    assert q.storage.schedule_size() == 1


def test_a_kept_message_runs_once_a_process_knows_its_task() -> None:
    q = MemoryHuey("t", utc=True)
    done: list[int] = []

    def later(n: int) -> None:
        done.append(n)

    later.__module__ = "somewhere.tasks"
    q.storage.enqueue(_unknown_message(q, "somewhere.tasks.later"), None)
    assert q.dequeue() is None  # this worker does not know it yet
    q.task()(later)  # a worker that does (after an upgrade, or another host)
    due = q.read_schedule(datetime.datetime.utcnow() + datetime.timedelta(minutes=2))
    assert len(due) == 1
    q.execute(due[0])
    assert done == [41]


def test_known_tasks_are_dequeued_as_usual() -> None:
    q = MemoryHuey("t", utc=True)
    seen: list[str] = []

    @q.task()
    def hello(word: str) -> None:
        seen.append(word)

    hello("hi")
    task = q.dequeue()
    assert task is not None
    q.execute(task)
    assert seen == ["hi"]
