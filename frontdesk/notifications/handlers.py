"""The bell's notifications, made after commit from the events tickets record (once per event,
with retries; never in the writer's transaction):

- a mention in a message → each mentioned agent (``mention``);
- an assignment → the new assignee, unless they assigned the ticket to themselves (``assigned``);
- a customer's message on an existing ticket → its assignee and followers (``customer_reply``).
"""

from __future__ import annotations

from frontdesk.core.events import EventMeta, handler
from frontdesk.notifications.models import NotificationKind
from frontdesk.notifications.services import notify
from frontdesk.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from frontdesk.tickets.models import MessageKind, Ticket


@handler(TicketCreated)
def notify_created_assigned(event: TicketCreated, meta: EventMeta) -> None:
    assignee_id = event.fields.get("assignee_id")
    if isinstance(assignee_id, int):
        notify(actor=meta.actor, event_id=meta.id, kind=NotificationKind.ASSIGNED, ticket_id=event.ticket_id,
               recipient_ids=[assignee_id])


@handler(TicketUpdated)
def notify_assigned(event: TicketUpdated, meta: EventMeta) -> None:
    change = event.changes.get("assignee_id")
    if isinstance(change, list | tuple) and len(change) == 2 and isinstance(change[1], int):
        notify(actor=meta.actor, event_id=meta.id, kind=NotificationKind.ASSIGNED, ticket_id=event.ticket_id,
               recipient_ids=[change[1]])


@handler(MessageAdded)
def notify_message(event: MessageAdded, meta: EventMeta) -> None:
    if event.mentioned_user_ids:
        notify(actor=meta.actor, event_id=meta.id, kind=NotificationKind.MENTION, ticket_id=event.ticket_id,
               recipient_ids=event.mentioned_user_ids, message_id=event.message_id,
               exclude=[event.author_user_id])
    if event.author_contact_id is not None and event.kind == MessageKind.PUBLIC and not event.opening:
        ticket = Ticket.objects.filter(pk=event.ticket_id).only("assignee_id").first()
        if ticket is None:
            return
        followers = Ticket.followers.through.objects.filter(ticket_id=ticket.pk).values_list("user_id", flat=True)
        notify(actor=meta.actor, event_id=meta.id, kind=NotificationKind.CUSTOMER_REPLY, ticket_id=ticket.pk,
               recipient_ids=[ticket.assignee_id, *followers], message_id=event.message_id,
               actor_contact_id=event.author_contact_id)
