from __future__ import annotations

from typing import ClassVar

import pydantic
import pytest
from django.db import transaction

from frontdesk.core.actor import Actor
from frontdesk.core.events import Event, dispatcher, handler, record
from frontdesk.core.events.models import HandlerRun, OutboxEvent
from frontdesk.core.events.recorder import EventDepthExceeded

calls: list[tuple[str, int]] = []
failures = {"remaining": 0}


class SomethingHappened(Event):
    name: ClassVar[str] = "test.something_happened"
    value: int


class Echo(Event):
    name: ClassVar[str] = "test.echo"
    value: int


@handler(SomethingHappened, in_transaction=True)
def _inside(event: SomethingHappened, meta) -> None:  # type: ignore[no-untyped-def]
    calls.append(("inside", event.value))


@handler(SomethingHappened)
def _after(event: SomethingHappened, meta) -> None:  # type: ignore[no-untyped-def]
    if failures["remaining"] > 0:
        failures["remaining"] -= 1
        raise RuntimeError("flaky receiver")
    calls.append(("after", event.value))


@handler(Echo)
def _echo(event: Echo, meta) -> None:  # type: ignore[no-untyped-def]
    # a handler that records the same event again: a loop the depth cap must stop
    record(Echo(value=event.value + 1), actor=Actor.rule(1))


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    failures["remaining"] = 0


def test_record_refuses_outside_a_transaction(transactional_db) -> None:
    with pytest.raises(RuntimeError, match="transaction.atomic"):
        record(SomethingHappened(value=1), actor=Actor.system())


def test_payload_is_validated(db) -> None:
    with pytest.raises(pydantic.ValidationError):
        SomethingHappened(value="not a number")  # type: ignore[arg-type]


def test_in_transaction_handler_runs_with_the_write_and_rolls_back_with_it(db) -> None:
    with pytest.raises(ValueError), transaction.atomic():
        record(SomethingHappened(value=7), actor=Actor.system())
        assert calls == [("inside", 7)]
        raise ValueError("the write fails")
    assert OutboxEvent.objects.count() == 0


def test_after_commit_handler_runs_once(db, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = record(SomethingHappened(value=3), actor=Actor.system())
    assert calls == [("inside", 3), ("after", 3)]
    row.refresh_from_db()
    assert row.dispatched_at is not None
    # at-least-once delivery: a second dispatch must not run the handler again
    dispatcher.dispatch(row.pk)
    OutboxEvent.objects.filter(pk=row.pk).update(dispatched_at=None)
    dispatcher.dispatch(row.pk)
    assert calls.count(("after", 3)) == 1
    assert HandlerRun.objects.get(event=row).status == "done"


def test_failures_back_off_and_the_sweep_retries(db, django_capture_on_commit_callbacks) -> None:
    failures["remaining"] = 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = record(SomethingHappened(value=5), actor=Actor.system())
    run = HandlerRun.objects.get(event=row)
    assert run.status == "failed" and run.attempts == 1 and "flaky receiver" in run.last_error
    assert run.next_attempt_at is not None
    row.refresh_from_db()
    assert row.dispatched_at is None
    HandlerRun.objects.filter(pk=run.pk).update(next_attempt_at=run.next_attempt_at.replace(year=2000))
    dispatcher.sweep()
    run.refresh_from_db()
    assert run.status == "done"
    assert ("after", 5) in calls


def test_a_rule_loop_is_stopped_by_the_depth_cap(db, django_capture_on_commit_callbacks, settings) -> None:
    settings.EVENTS_MAX_DEPTH = 3
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = record(Echo(value=0), actor=Actor.system())
    depths = list(OutboxEvent.objects.filter(name="test.echo").order_by("pk").values_list("depth", "causation_id"))
    assert [d for d, _ in depths] == [0, 1, 2, 3]
    assert depths[1][1] == first.pk
    last = OutboxEvent.objects.filter(name="test.echo").order_by("-pk").first()
    run = HandlerRun.objects.get(event=last)
    assert run.status == "failed" and "depth" in run.last_error
    assert EventDepthExceeded.__name__ in run.last_error, "the chain was stopped by the cap, not by another error"
