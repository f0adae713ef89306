from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict
from frontdesk.core.events.base import Event, EventMeta
from frontdesk.core.events.context import current_cause
from frontdesk.core.events.models import OutboxEvent
from frontdesk.core.events.registry import handlers_for

log = logging.getLogger(__name__)


class EventDepthExceeded(Conflict):
    """A chain of events went deeper than FRONTDESK_EVENTS_MAX_DEPTH: a loop was stopped."""

    code = "event_depth_exceeded"


def record(event: Event, *, actor: Actor) -> OutboxEvent:
    """Store ``event`` in the outbox inside the current transaction, run its
    in-transaction handlers, and have the rest dispatched after commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"record({event.name}) must be called inside transaction.atomic")
    cause = current_cause()
    depth = cause.depth + 1 if cause else 0
    if depth > settings.EVENTS_MAX_DEPTH:
        raise EventDepthExceeded(f"{event.name} would be at depth {depth}; the chain was stopped.")
    now = timezone.now()
    after_commit = handlers_for(event.name, in_transaction=False)
    row = OutboxEvent.objects.create(
        name=event.name,
        payload=event.model_dump(mode="json"),
        actor=actor.as_dict(),
        causation_id=cause.id if cause else None,
        depth=depth,
        created_at=now,
        dispatched_at=None if after_commit else now,
    )
    meta = EventMeta(
        id=row.pk, name=event.name, actor=actor, causation_id=row.causation_id, depth=depth, created_at=now
    )
    for reg in handlers_for(event.name, in_transaction=True):
        reg.fn(event, meta)
    if after_commit:
        transaction.on_commit(lambda: _nudge(row.pk))
    return row


def _nudge(event_id: int) -> None:
    from frontdesk.core.tasks import dispatch_event_task

    try:
        dispatch_event_task(event_id)
    except Exception:  # a lost nudge is re-driven by the sweep
        log.exception("could not enqueue dispatch of event %s", event_id)
