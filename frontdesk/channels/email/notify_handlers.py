"""Event handlers mailing agents their notifications (see notifications.py). They run after
commit, once per event with retries, so ticket writes never wait for them."""

from __future__ import annotations

from frontdesk.channels.email import notifications
from frontdesk.core.events import EventMeta, handler
from frontdesk.tickets.events import MessageAdded, TicketCreated, TicketUpdated


@handler(TicketCreated)
def notify_ticket_created(event: TicketCreated, meta: EventMeta) -> None:
    notifications.on_ticket_created(event, meta.actor)


@handler(TicketUpdated)
def notify_ticket_updated(event: TicketUpdated, meta: EventMeta) -> None:
    notifications.on_ticket_updated(event, meta.actor)


@handler(MessageAdded)
def notify_message_added(event: MessageAdded, meta: EventMeta) -> None:
    notifications.on_message_added(event, meta.actor)
