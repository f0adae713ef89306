"""Step 4: which ticket a message belongs to, in this order:

1. our reply token in any recipient address (``support+t1234-9f2c1a0b@…``);
2. ``In-Reply-To`` then ``References``: a Message-ID we sent or received;
3. the ticket number in the subject, ``[Ticket #1234]`` (what our outgoing subjects carry; the
   last one when a client kept older tags).

Each path threads only mail from people on the ticket: a token or a Message-ID, mail from the
ticket's requester, one of its CCs or an agent who can see it; the subject tag, which anyone can
type and which agents' notifications carry, mail from the requester or a CC only — and never mail
whose display name claims another address than it was sent from. A token is no credential: anyone
who saw one copy (a CC, a forward) has it. Mail from anyone else opens a ticket of its own; a valid
token it carried is named in ``Thread.refused_token`` (see ``handling_notes``).

Merged tickets are followed to the ticket they were merged into. A closed ticket is followed to
its follow-up (see ``open_follow_up``), so that every reply into a closed thread lands on one
follow-up rather than opening another each time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from frontdesk.accounts.models import STAFF_ROLES, User
from frontdesk.channels.email.models import EmailReference
from frontdesk.channels.email.pipeline.parse import Parsed
from frontdesk.channels.email.tokens import ticket_from_address
from frontdesk.core.reads import placeholders, read_many, read_many_related, read_one
from frontdesk.core.transactions import held_behind
from frontdesk.customers.models import Contact
from frontdesk.tickets import policies
from frontdesk.tickets.models import LinkKind, StatusCategory, Ticket, TicketLink

_REFS = f'"{EmailReference._meta.db_table}"'

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
    """The ticket's requester or one of its CCs."""
    return ticket.requester_id == contact.pk or ticket.ccs.filter(pk=contact.pk).exists()


def agent_for(address: str) -> User | None:
    """The active agent (or admin, supervisor, light agent) whose sign-in address ``address`` is."""
    if not address:
        return None
    return User.objects.filter(email__iexact=address, is_active=True, role__in=STAFF_ROLES).first()


def is_agent_for(ticket: Ticket, address: str) -> bool:
    """``address`` is an agent's who can see ``ticket`` (a restricted team's ticket: its members)."""
    user = agent_for(address)
    return user is not None and policies.can_view(user, ticket)


@dataclass
class _Writer:
    """Who wrote, as threading asks: the sender's contact and address (the agent looked up once)."""

    contact: Contact
    address: str
    _agent: User | None = field(default=None, init=False)
    _looked_up: bool = field(default=False, init=False)

    def may_thread(self, ticket: Ticket, *, agents: bool) -> bool:
        if is_party(ticket, self.contact):
            return True
        if not agents:
            return False
        if not self._looked_up:
            self._agent, self._looked_up = agent_for(self.address), True
        return self._agent is not None and policies.can_view(self._agent, ticket)


def _of(writer: _Writer, ticket: Ticket, *, agents: bool) -> Ticket | None:
    """The ticket, or the one it was merged into, that the writer is on (the ticket first)."""
    for candidate in dict.fromkeys([ticket, follow_merges(ticket)]):
        if writer.may_thread(candidate, agents=agents):
            return candidate
    return None


MAX_ANSWERED = 100  # the Message-IDs of a message's In-Reply-To and References that are looked at


def answered_ids(parsed: Parsed) -> list[str]:
    """The Message-IDs a message answers, nearest first: In-Reply-To, then References newest first
    (what threading looks up, and what a batch waits for: ``receive._without_waiting``)."""
    return (parsed.in_reply_to + list(reversed(parsed.references)))[:MAX_ANSWERED]


def _locked(ticket: Ticket) -> Ticket:
    """``ticket`` marked as read with its row lock in this transaction (so fresh): a message added
    to it needs no second read (``message_add(locked_by_caller=True)``). SQLite has one writer: a
    read in the writer's transaction is as good as locked."""
    ticket._read_locked = True  # type: ignore[attr-defined]
    return ticket


def take_lock(ticket: Ticket | None) -> bool:
    """Whether ``ticket`` was read with its row lock (``_locked``), for one write: the mark is
    cleared, since the instance is not kept current by every later write in the transaction
    (another instance may change the row, and a later message of the batch may find this one
    again among the held references)."""
    found = ticket is not None and getattr(ticket, "_read_locked", False)
    if found:
        ticket._read_locked = False  # type: ignore[union-attr]
    return found


def by_token(parsed: Parsed, writer: _Writer) -> tuple[Ticket | None, int | None]:
    """(the ticket of a valid token whose party the writer is, the first valid token's ticket
    id refused because the writer is none of its people)."""
    refused: int | None = None
    seen: set[int] = set()
    for address in parsed.to + parsed.cc:
        ticket_id = ticket_from_address(address)
        if ticket_id is None or ticket_id in seen:
            continue
        seen.add(ticket_id)
        ticket = read_one(Ticket, '"id" = %s', [ticket_id], for_update=True, defer=("search_vector",))
        if ticket is None:
            continue
        _locked(ticket)
        found = _of(writer, ticket, agents=True)
        if found is not None:
            return found, None
        refused = refused or ticket_id
    return None, refused


def by_headers(parsed: Parsed, writer: _Writer) -> Ticket | None:
    wanted = answered_ids(parsed)
    if not wanted:
        return None
    where = f'{_REFS}."header_id" IN ({placeholders(wanted)})'
    read = read_many_related(
        EmailReference, "ticket", where, wanted, lock_related=True, defer_related=("search_vector",)
    )
    refs = {r.header_id: r for r in read}
    for locked_ref in refs.values():
        _locked(locked_ref.ticket)
    for held in held_behind(EmailReference):  # this batch's, inserted at its end (its ticket read again)
        refs.setdefault(held.header_id, held)
    for header_id in wanted:
        ref = refs.get(header_id)
        if ref is None:
            continue
        found = _of(writer, ref.ticket, agents=True)
        if found is not None:
            return found
    return None


def by_subject(parsed: Parsed, writer: _Writer) -> Ticket | None:
    """The newest (last) tag of the subject whose ticket the sender is a party to: a client that
    keeps old tags ("… [Ticket #2] [Ticket #5]") added the one of the thread it answers last.
    Agents are not threaded this way (their notifications carry the tag), nor is mail whose name
    claims another address."""
    if parsed.sender_claim:
        return None
    numbers = list(dict.fromkeys(int(n) for n in reversed(SUBJECT_NUMBER.findall(parsed.subject))))
    if not numbers:
        return None
    numbers = numbers[:MAX_SUBJECT_TAGS]
    found = {t.pk: t for t in read_many(Ticket, f'"id" IN ({placeholders(numbers)})', numbers)}
    for number in numbers:
        ticket = found.get(number)
        if ticket is None:
            continue
        mine = _of(writer, ticket, agents=False)
        if mine is not None:
            return mine
    return None


def open_follow_up(closed: Ticket, contact: Contact) -> Ticket | None:
    """The newest follow-up of the closed ticket that is not closed itself and whose requester is
    the sender, or that copies the sender; None when there is none (then a new one is opened)."""
    links = TicketLink.objects.filter(target_id=closed.pk, kind=LinkKind.FOLLOW_UP_OF)
    links = links.exclude(source__status_category=StatusCategory.CLOSED)
    links = links.filter(Q(source__requester_id=contact.pk) | Q(source__ccs=contact.pk))
    link = links.select_related("source").order_by("-source_id").first()
    return link.source if link is not None else None


@dataclass(frozen=True)
class Thread:
    """Where a message goes, and what threading refused on the way."""

    ticket: Ticket | None  # None: a new ticket; a closed one: a new follow-up of it
    refused_token: int | None = None  # a valid reply token of a ticket the sender is not on



def thread_for(parsed: Parsed, contact: Contact) -> Thread:
    """The ticket the message belongs to; a closed one (its follow-up, if open, already followed)
    means the caller opens a follow-up. An open ticket costs no query past the lookup itself."""
    writer = _Writer(contact, parsed.from_address)
    ticket, refused = by_token(parsed, writer)
    if ticket is None:
        ticket = by_headers(parsed, writer) or by_subject(parsed, writer)
    if ticket is None:
        return Thread(None, refused)
    ticket = follow_merges(ticket)
    if ticket.status_category == StatusCategory.CLOSED:
        ticket = open_follow_up(ticket, contact) or ticket
    return Thread(ticket, refused)


def find_ticket(parsed: Parsed, contact: Contact) -> Ticket | None:
    """``thread_for(parsed, contact).ticket``."""
    return thread_for(parsed, contact).ticket


def handling_notes(thread: Thread, withheld: list[Contact]) -> list[dict[str, Any]]:
    """What the ticket page says about how the message was handled (``InboundEmail.notes``): a
    reply token it carried but may not use, and the CCs it named that were not added (only the
    requester and agents add CCs by email, see ``identify.ccs_to_add``)."""
    notes: list[dict[str, Any]] = []
    if thread.refused_token is not None:
        notes.append({"code": "token_refused", "ticket": thread.refused_token})
    if withheld:
        notes.append({"code": "ccs_withheld", "addresses": [c.primary_email for c in withheld][:20]})
    return notes
