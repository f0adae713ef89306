"""The after-commit nudge: the recorder enqueues dispatch through the hook the core app's ready() wires,
so the events package never imports the task queue (no import circle events -> tasks -> events)."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest
from django.db import transaction

from frontdesk.core.actor import Actor
from frontdesk.core.events import Event, handler, record, recorder
from frontdesk.core.events.models import OutboxEvent
from frontdesk.core.tasks import dispatch_event_task


class Nudged(Event):
    name: ClassVar[str] = "test.nudged"
    value: int


@handler(Nudged)
def _after(event: Nudged, meta) -> None:  # type: ignore[no-untyped-def]
    pass


def test_ready_wires_the_dispatch_task() -> None:
    assert recorder._enqueue_dispatch is dispatch_event_task


def test_the_event_is_enqueued_after_commit_only(db, django_capture_on_commit_callbacks, monkeypatch) -> None:
    enqueued: list[int] = []
    monkeypatch.setattr(recorder, "_enqueue_dispatch", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = record(Nudged(value=1), actor=Actor.system())
        assert enqueued == []
    assert enqueued == [row.pk]


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
