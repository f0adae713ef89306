"""Step 4: which ticket a message belongs to, in this order:

1. our reply token in any recipient address (``support+t1234-9f2c1a0b@…``);
2. ``In-Reply-To`` then ``References``: a Message-ID we sent or received, but only when the
   sender is the ticket's requester or one of its CCs — a stranger's forged header never
   lands on someone else's ticket;
3. the ticket number in the subject, ``[Ticket #1234]`` (what our outgoing subjects carry; the
   last one when a client kept older tags), again only for the requester or a CC.

Merged tickets are followed to the ticket they were merged into. A closed ticket is followed to
its follow-up (see ``open_follow_up``), so that every reply into a closed thread lands on one
follow-up rather than opening another each time.
"""

from __future__ import annotations

import re

from django.db.models import Q

from frontdesk.channels.email.models import EmailReference
from frontdesk.channels.email.pipeline.parse import Parsed
from frontdesk.channels.email.tokens import ticket_from_address
from frontdesk.customers.models import Contact
from frontdesk.tickets.models import LinkKind, StatusCategory, Ticket, TicketLink

SUBJECT_NUMBER = re.compile(r"\[Ticket #([1-9][0-9]{0,17})\]", re.IGNORECASE)
MAX_SUBJECT_TAGS = 5  # the newest tags of a subject that are looked up
_ANY_TAG = re.compile(r"\[\s*Ticket\s*#\s*[0-9]+\s*\]", re.IGNORECASE)
# reply prefixes of mail clients, with Outlook's "RE[2]:" counters and the French space before the
# colon: Re, Aw/Antw/Antwort (de, nl), Sv (sv, da, no), Vs (fi), Réf (fr). Not "Ref:" or "Fwd:":
# those start subjects of their own.
_REPLY_PREFIX = re.compile(
    r"^(?:re|aw|antw|antwort|sv|vs|réf)\s*(?:\[[0-9]+\]|\([0-9]+\))?\s*[:\uff1a]\s*", re.IGNORECASE
)


def subject_tag(ticket_id: int) -> str:
    """The tag outgoing subjects carry: ``[Ticket #1234]``."""
    return f"[Ticket #{ticket_id}]"


def bare_subject(subject: str) -> str:
    """``subject`` without any ``[Ticket #N]`` tag and without its leading reply prefixes
    ("Re: AW: Re: Grüße [Ticket #2]" is "Grüße"); forwards keep their "Fwd:"."""
    subject = " ".join(_ANY_TAG.sub(" ", subject).split())
    while True:
        shorter = _REPLY_PREFIX.sub("", subject, count=1)
        if shorter == subject:
            return subject
        subject = shorter


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
    """The newest (last) tag of the subject whose ticket the sender is a party to: a client that
    keeps old tags ("… [Ticket #2] [Ticket #5]") added the one of the thread it answers last."""
    numbers = list(dict.fromkeys(int(n) for n in reversed(SUBJECT_NUMBER.findall(parsed.subject))))
    if not numbers:
        return None
    numbers = numbers[:MAX_SUBJECT_TAGS]
    found = Ticket.objects.in_bulk(numbers)
    for number in numbers:
        ticket = found.get(number)
        if ticket is None:
            continue
        for candidate in dict.fromkeys([ticket, follow_merges(ticket)]):
            if is_party(candidate, contact):
                return candidate
    return None


def open_follow_up(closed: Ticket, contact: Contact) -> Ticket | None:
    """The newest follow-up of the closed ticket that is not closed itself and whose requester is
    the sender, or that copies the sender; None when there is none (then a new one is opened)."""
    links = TicketLink.objects.filter(target_id=closed.pk, kind=LinkKind.FOLLOW_UP_OF)
    links = links.exclude(source__status_category=StatusCategory.CLOSED)
    links = links.filter(Q(source__requester_id=contact.pk) | Q(source__ccs=contact.pk))
    link = links.select_related("source").order_by("-source_id").first()
    return link.source if link is not None else None


def find_ticket(parsed: Parsed, contact: Contact) -> Ticket | None:
    """The ticket the message belongs to; a closed one (its follow-up, if open, already followed)
    means the caller opens a follow-up. An open ticket costs no query past the lookup itself."""
    ticket = by_token(parsed) or by_headers(parsed, contact) or by_subject(parsed, contact)
    if ticket is None:
        return None
    ticket = follow_merges(ticket)
    if ticket.status_category == StatusCategory.CLOSED:
        return open_follow_up(ticket, contact) or ticket
    return ticket
