"""Event handlers of the email channel's sending side: agent replies go out as email, and new
tickets that arrived by email are acknowledged."""

from __future__ import annotations

from frontdesk.channels.email import acknowledgement, outbound
from frontdesk.core.events import EventMeta, handler
from frontdesk.tickets.events import MessageAdded, TicketCreated
from frontdesk.tickets.models import Message, MessageKind, Ticket
from frontdesk.tickets.services.messages import Recipients


@handler(MessageAdded, in_transaction=True)
def email_public_reply(event: MessageAdded, meta: EventMeta) -> None:
    """A public message by an agent or the system is written to the outbox in the same
    transaction. Customers' own messages (including the opening message of a ticket created by
    email) are never mailed back to them."""
    if event.kind != MessageKind.PUBLIC or event.author_contact_id is not None:
        return
    if event.opening and event.channel == "email" and event.author_user_id is None:
        return
    message = meta.hints.get("message")
    if not isinstance(message, Message) or message.pk != event.message_id:
        message = Message.objects.select_related("author_user").filter(pk=event.message_id).first()
        if message is None:
            return
    ticket = (
        Ticket.objects.select_related("brand", "requester").filter(pk=event.ticket_id).first()
    )
    if ticket is None:
        return
    # the To/CC/BCC and signature the agent chose in the composer (message_add validated them)
    chosen = meta.hints.get("recipients")
    signature = meta.hints.get("signature")
    outbound.queue_reply(
        ticket=ticket,
        message=message,
        chosen=chosen if isinstance(chosen, Recipients) else None,
        signature=signature if isinstance(signature, str) else None,
    )


@handler(TicketCreated)
def acknowledge_email_ticket(event: TicketCreated, meta: EventMeta) -> None:
    """After commit (once per event, with retries): the automatic acknowledgement of a ticket
    that arrived by email, when its mailbox acknowledges."""
    if event.fields.get("channel") != "email":
        return
    ticket = Ticket.objects.select_related("brand", "requester").filter(pk=event.ticket_id).first()
    if ticket is None:
        return
    opening = Message.objects.filter(ticket_id=ticket.pk).order_by("created_at", "pk").only("author_user_id").first()
    if opening is None or opening.author_user_id is not None:
        return  # an agent wrote it: the reply handler already mails it
    acknowledgement.queue_acknowledgement(ticket=ticket)
