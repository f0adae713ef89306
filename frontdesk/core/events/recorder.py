from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict
from frontdesk.core.events.base import Event, EventMeta
from frontdesk.core.events.context import current_cause
from frontdesk.core.events.models import OutboxEvent
from frontdesk.core.events.registry import handlers_for
from frontdesk.core.inserts import insert
from frontdesk.core.transactions import insert_behind, keys_behind
from frontdesk.core.unavailable import note_enqueue_failure


class EventDepthExceeded(Conflict):
    """A chain of events went deeper than FRONTDESK_EVENTS_MAX_DEPTH: a loop was stopped."""

    code = "event_depth_exceeded"


def record(event: Event, *, actor: Actor, hints: dict[str, Any] | None = None) -> OutboxEvent:
    """Store ``event`` in the outbox inside the current transaction, run its
    in-transaction handlers, and have the rest dispatched after commit.

    ``hints`` are live objects the writer already holds (the new message, say), passed to the
    in-transaction handlers only, so they need not read back what was just written. They are never
    stored: after-commit handlers work from the payload alone."""
    return record_many([(event, hints)], actor=actor)[0]


def record_many(events: list[tuple[Event, dict[str, Any] | None]], *, actor: Actor) -> list[OutboxEvent]:
    """Record several events of one write with a single outbox insert; their in-transaction
    handlers then run in order, as if each had been recorded on its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"record({events[0][0].name}) must be called inside transaction.atomic")
    cause = current_cause()
    depth = cause.depth + 1 if cause else 0
    if depth > settings.EVENTS_MAX_DEPTH:
        raise EventDepthExceeded(f"{events[0][0].name} would be at depth {depth}; the chain was stopped.")
    payloads = [_stored_payload(event) for event, _ in events]
    now = timezone.now()
    actor_data = actor.as_dict()
    pending = [bool(handlers_for(event.name, in_transaction=False)) for event, _ in events]
    rows = [
        OutboxEvent(
            name=event.name,
            payload=payload,
            actor=actor_data,
            causation_id=cause.id if cause else None,
            depth=depth,
            created_at=now,
            dispatched_at=None if after_commit else now,
        )
        for (event, _), payload, after_commit in zip(events, payloads, pending, strict=True)
    ]
    keys = keys_behind(OutboxEvent, len(rows))  # in a batch: inserted with the batch's other rows
    if keys is None:
        insert(*rows)
    else:
        for row, key in zip(rows, keys, strict=True):
            row.pk = key
        insert_behind(*rows)
    # One nudge for the whole write (one task, one queue write), dispatching its events in order. It
    # is registered where the first event's own nudge was, after that event's in-transaction
    # handlers, and the later events join its list before the commit runs it.
    due: list[int] = []
    for (event, hints), row, after_commit in zip(events, rows, pending, strict=True):
        meta = EventMeta(
            id=row.pk, name=event.name, actor=actor, causation_id=row.causation_id, depth=depth, created_at=now,
            hints=hints or {},
        )
        for reg in handlers_for(event.name, in_transaction=True):
            reg.fn(event, meta)
        if after_commit:
            due.append(row.pk)
            if len(due) == 1:
                transaction.on_commit(partial(_nudge, due))
    return rows


def _stored_payload(event: Event) -> dict[str, Any]:
    """The JSON payload to store, checked against the event's schema as a handler will read it
    back (an event built with ``model_construct`` skipped validation): a payload that does not
    validate is refused here, in the writer's transaction, rather than failing every handler."""
    payload = event.model_dump(mode="json")
    type(event).model_validate(payload)
    return payload


EnqueueDispatch = Callable[[list[int]], object]
_enqueue_dispatch: EnqueueDispatch | None = None


def set_dispatch_enqueuer(enqueue: EnqueueDispatch) -> None:
    """How the after-commit dispatch of one write's events is enqueued: called once per
    ``record_many`` with the ids of its events that have after-commit handlers, in the order they
    were recorded. The core app's ``ready`` passes its task (``frontdesk.core.tasks.dispatch_events_task``).
    The events package never imports the task queue, so the dependency points one way, from the
    tasks to the events."""
    global _enqueue_dispatch
    _enqueue_dispatch = enqueue


def _nudge(event_ids: list[int]) -> None:
    try:
        if _enqueue_dispatch is None:
            raise RuntimeError("no dispatch enqueuer: frontdesk.core's ready() did not run")
        _enqueue_dispatch(event_ids)
    except Exception as exc:  # a lost nudge is re-driven by the sweep; the request still succeeds
        what = f"event {event_ids[0]}" if len(event_ids) == 1 else f"events {', '.join(map(str, event_ids))}"
        note_enqueue_failure(f"dispatch of {what}", exc)
