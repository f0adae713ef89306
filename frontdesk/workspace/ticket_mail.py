"""Email on the ticket page: where each emailed reply stands (sent, retrying, given up), and the
raw original of each message that arrived by email. No query per message: the originals come
with the messages (a subquery), the outgoing mail in one query per page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from frontdesk.channels.email.models import InboundEmail, OutboundEmail, OutboundStatus
from frontdesk.channels.email.outgoing import KIND_ACK, KIND_REPLY
from frontdesk.tickets.models import Message, Ticket

# what the customer receives; notifications to agents are not the conversation
_TO_CUSTOMERS = (KIND_REPLY, KIND_ACK)
_FIELDS = (
    "id", "message_id", "kind", "to", "cc", "bcc", "status", "attempts", "last_error", "next_attempt_at", "sent_at",
)
MAX_ERROR = 300


@dataclass
class Delivery:
    """One outgoing email of a message, as the status line under it says."""

    status: str  # OutboundStatus
    recipients: str
    attempts: int
    error: str
    at: str  # when it was sent, or when the next attempt is due


@dataclass
class TicketMail:
    by_message: dict[int, list[Delivery]] = field(default_factory=dict)
    dead: list[OutboundEmail] = field(default_factory=list)  # mail to the customer that gave up after attempts
    first_dead_message_id: int | None = None


def with_originals(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with ``inbound_id``: the stored original of one that arrived by email (else None)."""
    original = InboundEmail.objects.filter(message_id=OuterRef("pk")).order_by("pk").values("pk")[:1]
    return messages.annotate(inbound_id=Subquery(original))


def when(value: datetime | None) -> str:
    """A time of today, else a short date and time, in the viewer's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return date_format(local, "TIME_FORMAT" if local.date() == timezone.localdate() else "SHORT_DATETIME_FORMAT")


def _delivery(row: OutboundEmail) -> Delivery:
    error = " ".join((row.last_error or "").split())
    if len(error) > MAX_ERROR:
        error = error[: MAX_ERROR - 1] + "…"
    return Delivery(
        status=row.status,
        recipients=", ".join([*row.to, *row.cc, *(f"Bcc: {a}" for a in row.bcc)]),  # agents see the Bcc
        attempts=row.attempts,
        error=error,
        at=when(row.sent_at if row.status == OutboundStatus.SENT else row.next_attempt_at),
    )


def ticket_mail(ticket: Ticket, messages: list[Message]) -> TicketMail:
    """The ticket's mail to its customers, in one query: the mail of the ticket, and the replies
    of its messages that were written on another ticket before a merge."""
    on_page = {m.pk for m in messages}
    rows = (
        OutboundEmail.objects.filter(
            Q(ticket_id=ticket.pk) | Q(message_id__in=Message.objects.filter(ticket_id=ticket.pk).values("pk")),
            kind__in=_TO_CUSTOMERS,
        )
        .only(*_FIELDS)
        .order_by("pk")
    )
    by_message: dict[int, list[Delivery]] = defaultdict(list)
    found = TicketMail()
    for row in rows:
        if row.message_id is not None and row.message_id not in on_page:
            continue  # split off to another ticket: it is shown there
        if row.kind == KIND_REPLY and row.message_id is not None:
            by_message[row.message_id].append(_delivery(row))
        if row.status == OutboundStatus.DEAD and row.attempts:  # never tried (a bounced address): its own line only
            found.dead.append(row)
            if found.first_dead_message_id is None:
                found.first_dead_message_id = row.message_id
    found.by_message = dict(by_message)
    return found
