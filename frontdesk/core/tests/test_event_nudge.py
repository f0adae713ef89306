"""The after-commit nudge: the recorder enqueues dispatch through the hook the core app's ready() wires,
so the events package never imports the task queue (no import circle events -> tasks -> events).
One write is one nudge: a single task for all its events that have after-commit handlers."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY
from redis.exceptions import ConnectionError as RedisConnectionError

from frontdesk.core.actor import Actor
from frontdesk.core.events import Event, dispatcher, handler, record, record_many, recorder
from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.tasks import dispatch_event_task, dispatch_events_task

seen: list[tuple[str, int]] = []
broken: set[int] = set()  # events whose dispatch raises


class Nudged(Event):
    name: ClassVar[str] = "test.nudged"
    value: int


class AlsoNudged(Event):
    name: ClassVar[str] = "test.also_nudged"
    value: int


class InsideOnly(Event):
    name: ClassVar[str] = "test.inside_only"
    value: int


@handler(Nudged)
def _after(event: Nudged, meta) -> None:  # type: ignore[no-untyped-def]
    seen.append(("nudged", event.value))


@handler(AlsoNudged)
def _also_after(event: AlsoNudged, meta) -> None:  # type: ignore[no-untyped-def]
    seen.append(("also", event.value))


@handler(InsideOnly, in_transaction=True)
def _inside(event: InsideOnly, meta) -> None:  # type: ignore[no-untyped-def]
    seen.append(("inside", event.value))


@pytest.fixture(autouse=True)
def _clean() -> None:
    seen.clear()
    broken.clear()


def _three_events() -> list[tuple[Event, None]]:
    return [(Nudged(value=1), None), (InsideOnly(value=2), None), (AlsoNudged(value=3), None)]


def test_ready_wires_the_dispatch_task() -> None:
    assert recorder._enqueue_dispatch is dispatch_events_task


def test_both_task_names_are_registered() -> None:
    names = set(HUEY._registry._registry)
    assert {"frontdesk.core.tasks.dispatch_events_task", "frontdesk.core.tasks.dispatch_event_task"} <= names


def test_the_event_is_enqueued_after_commit_only(db, django_capture_on_commit_callbacks, monkeypatch) -> None:
    enqueued: list[list[int]] = []
    monkeypatch.setattr(recorder, "_enqueue_dispatch", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = record(Nudged(value=1), actor=Actor.system())
        assert enqueued == []
    assert enqueued == [[row.pk]]


def test_one_write_of_several_events_is_one_enqueue_of_those_with_after_commit_handlers(
    db, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    enqueued: list[list[int]] = []
    monkeypatch.setattr(recorder, "_enqueue_dispatch", enqueued.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        first, inside, third = record_many(_three_events(), actor=Actor.system())
    assert len(callbacks) == 1, "one on_commit for the write, not one per event"
    assert enqueued == []
    callbacks[0]()
    assert enqueued == [[first.pk, third.pk]], "in the order recorded; the in-transaction-only event is not queued"
    assert OutboxEvent.objects.get(pk=inside.pk).dispatched_at is not None


def test_a_write_with_no_after_commit_handler_enqueues_nothing(
    db, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    enqueued: list[list[int]] = []
    monkeypatch.setattr(recorder, "_enqueue_dispatch", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        record_many([(InsideOnly(value=1), None), (InsideOnly(value=2), None)], actor=Actor.system())
    assert callbacks == [] and enqueued == []


def test_the_one_task_dispatches_every_event_of_the_write_in_order(db, django_capture_on_commit_callbacks) -> None:
    # the real enqueuer, the queue immediate (as in the tests): the commit runs the one task
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first, _, third = record_many(_three_events(), actor=Actor.system())
    assert seen == [("inside", 2), ("nudged", 1), ("also", 3)]
    assert OutboxEvent.objects.filter(pk__in=[first.pk, third.pk], dispatched_at__isnull=True).count() == 0
    assert HandlerRun.objects.filter(event__in=[first, third], status="done").count() == 2


def test_a_task_run_again_runs_no_handler_twice(db, django_capture_on_commit_callbacks, monkeypatch) -> None:
    monkeypatch.setattr(recorder, "_enqueue_dispatch", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first, _, third = record_many(_three_events(), actor=Actor.system())
    seen.clear()
    assert dispatch_events_task.call_local([first.pk, third.pk]) is True
    assert dispatch_events_task.call_local([first.pk, third.pk]) is True  # a retry, a duplicate message
    dispatch_event_task.call_local(first.pk)  # the single-event task, for messages queued before the batch one
    assert seen == [("nudged", 1), ("also", 3)]


def test_the_single_event_task_still_dispatches(db, django_capture_on_commit_callbacks, monkeypatch) -> None:
    monkeypatch.setattr(recorder, "_enqueue_dispatch", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = record(Nudged(value=9), actor=Actor.system())
    assert seen == []
    assert dispatch_event_task.call_local(row.pk) is True
    assert seen == [("nudged", 9)]
    assert OutboxEvent.objects.get(pk=row.pk).dispatched_at is not None


def test_an_event_that_cannot_be_dispatched_does_not_hold_back_the_others(
    db, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(recorder, "_enqueue_dispatch", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first, _, third = record_many(_three_events(), actor=Actor.system())
    seen.clear()
    real = dispatcher.dispatch

    def dispatch(event_id: int) -> bool:
        if event_id in broken:
            raise RuntimeError("the database went away")
        return real(event_id)

    monkeypatch.setattr(dispatcher, "dispatch", dispatch)
    broken.add(first.pk)
    with pytest.raises(RuntimeError, match="went away"):  # raised after the others, so the task is retried
        dispatcher.dispatch_many([first.pk, third.pk])
    assert seen == [("also", 3)]
    broken.clear()
    assert dispatcher.dispatch_many([first.pk, third.pk]) is True  # the retry
    assert seen == [("also", 3), ("nudged", 1)]


def test_without_an_enqueuer_the_event_is_left_for_the_sweep(
    db, django_capture_on_commit_callbacks, monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(recorder, "_enqueue_dispatch", None)
    with (
        caplog.at_level(logging.WARNING, logger="frontdesk.unavailable"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        row = record(Nudged(value=2), actor=Actor.system())
    assert OutboxEvent.objects.get(pk=row.pk).dispatched_at is None
    assert any("ready() did not run" in str(r.exc_info and r.exc_info[1]) for r in caplog.records)


def test_a_lost_nudge_is_one_line_naming_the_events_and_the_sweep_delivers_them(
    db, django_capture_on_commit_callbacks, monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(ids: list[int]) -> None:
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(recorder, "_enqueue_dispatch", unreachable)
    with (
        caplog.at_level(logging.WARNING, logger="frontdesk.unavailable"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        first, _, third = record_many(_three_events(), actor=Actor.system())
    (line,) = [r for r in caplog.records if r.name == "frontdesk.unavailable"]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert f"dispatch of events {first.pk}, {third.pk} left for the periodic re-drive" in line.getMessage()
    assert seen == [("inside", 2)]
    OutboxEvent.objects.filter(pk__in=[first.pk, third.pk]).update(created_at=first.created_at.replace(year=2000))
    assert dispatcher.sweep() == 2
    assert seen == [("inside", 2), ("nudged", 1), ("also", 3)]
