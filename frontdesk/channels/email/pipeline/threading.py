"""Step 4: which ticket a message belongs to, in this order:

1. our reply token in any recipient address (``support+t1234-9f2c1a0b@…``);
2. ``In-Reply-To`` then ``References``: a Message-ID we sent or received, but only when the
   sender is the ticket's requester or one of its CCs — a stranger's forged header never
   lands on someone else's ticket;
3. the ticket number in the subject, ``[Ticket #1234]`` (what our outgoing subjects carry),
   again only for the requester or a CC.

Merged tickets are followed to the ticket they were merged into.
"""

from __future__ import annotations

import re

from frontdesk.channels.email.models import EmailReference
from frontdesk.channels.email.pipeline.parse import Parsed
from frontdesk.channels.email.tokens import ticket_from_address
from frontdesk.customers.models import Contact
from frontdesk.tickets.models import LinkKind, StatusCategory, Ticket, TicketLink

SUBJECT_NUMBER = re.compile(r"\[Ticket #([1-9][0-9]{0,17})\]", re.IGNORECASE)


def subject_tag(ticket_id: int) -> str:
    """The tag outgoing subjects carry: ``[Ticket #1234]``."""
    return f"[Ticket #{ticket_id}]"


def follow_merges(ticket: Ticket) -> Ticket:
    """The ticket this one was merged into (transitively). Merging closes the source ticket, and a
    closed ticket is never merged again, so an open ticket is its own answer without a query."""
    if ticket.status_category != StatusCategory.CLOSED:
        return ticket
    seen = {ticket.pk}
    for _ in range(20):
        links = TicketLink.objects.filter(source_id=ticket.pk, kind=LinkKind.MERGED_INTO)
        link = links.select_related("target").first()
        if link is None or link.target_id in seen:
            return ticket
        ticket = link.target
        seen.add(ticket.pk)
    return ticket


def is_party(ticket: Ticket, contact: Contact) -> bool:
    return ticket.requester_id == contact.pk or ticket.ccs.filter(pk=contact.pk).exists()


def by_token(parsed: Parsed) -> Ticket | None:
    for address in parsed.to + parsed.cc:
        ticket_id = ticket_from_address(address)
        if ticket_id is not None:
            ticket = Ticket.objects.filter(pk=ticket_id).first()
            if ticket is not None:
                return ticket
    return None


def by_headers(parsed: Parsed, contact: Contact) -> Ticket | None:
    wanted = parsed.in_reply_to + list(reversed(parsed.references))
    if not wanted:
        return None
    refs = {r.header_id: r for r in EmailReference.objects.filter(header_id__in=wanted[:100]).select_related("ticket")}
    for header_id in wanted:
        ref = refs.get(header_id)
        if ref is None:
            continue
        for ticket in dict.fromkeys([ref.ticket, follow_merges(ref.ticket)]):
            if is_party(ticket, contact):
                return ticket
    return None


def by_subject(parsed: Parsed, contact: Contact) -> Ticket | None:
    match = SUBJECT_NUMBER.search(parsed.subject)
    if match is None:
        return None
    ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
    if ticket is None:
        return None
    for candidate in dict.fromkeys([ticket, follow_merges(ticket)]):
        if is_party(candidate, contact):
            return candidate
    return None


def find_ticket(parsed: Parsed, contact: Contact) -> Ticket | None:
    ticket = by_token(parsed) or by_headers(parsed, contact) or by_subject(parsed, contact)
    return follow_merges(ticket) if ticket is not None else None
