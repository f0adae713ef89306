"""Typed domain events, stored in an outbox in the writer's transaction.

    from frontdesk.core.events import Event, record

    class TicketCreated(Event):
        name: ClassVar[str] = "ticket.created"
        ticket_id: int

    record(TicketCreated(ticket_id=t.pk), actor=actor)

See DESIGN.md section 5 and docs/decisions/0002-events-outbox.md.
"""

from frontdesk.core.events.base import Event, EventMeta
from frontdesk.core.events.recorder import record, record_many
from frontdesk.core.events.registry import handler

__all__ = ["Event", "EventMeta", "handler", "record", "record_many"]
