"""Reading the email channel's outgoing mail."""

from __future__ import annotations

from django.db.models import QuerySet

from frontdesk.accounts.models import User
from frontdesk.channels.email.models import OutboundEmail
from frontdesk.core.errors import NotFound
from frontdesk.tickets.selectors import ticket_get


def outbound_for_ticket(*, viewer: User, ticket_id: int) -> QuerySet[OutboundEmail]:
    """Outgoing mail of a ticket, for agents who can see the ticket (NotFound otherwise):
    where each message stands (sent, failed and retrying, given up) and why."""
    ticket = ticket_get(viewer=viewer, ticket_id=ticket_id, detail=False)
    if not viewer.is_agent:
        raise NotFound("Ticket not found.")
    return OutboundEmail.objects.filter(ticket_id=ticket.pk).only(
        "id", "ticket_id", "message_id", "kind", "to", "cc", "subject", "status", "attempts", "last_error",
        "next_attempt_at", "sent_at", "created_at",
    )
