"""What the email channel adds to the ticket page (``frontdesk.tickets.channel_page``): where each
emailed reply stands (sent, retrying, given up), the raw original of each message that arrived by
email and what threading noted about it, and the recipients of an emailed reply. No query per
message: the originals come with the messages (a subquery), the notes in one query and the
outgoing mail in one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontdesk.channels.email.models import InboundEmail, Mailbox, OutboundEmail, OutboundStatus
from frontdesk.channels.email.outgoing import KIND_ACK, KIND_REPLY
from frontdesk.channels.email.recipients import default_recipients, has_mailbox
from frontdesk.tickets.channel_page import PageParts, Part, ReplyRoute
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


def _note_text(note: Any) -> str:
    code = note.get("code") if isinstance(note, dict) else None
    if code == "token_refused":
        return _(
            "This email carried the reply token of ticket #%(ticket)s, but its sender is not that ticket’s "
            "requester, one of its CCs or an agent: it was not added there."
        ) % {"ticket": note.get("ticket")}
    if code == "ccs_withheld":
        found = [str(a) for a in note.get("addresses") or []]
        return ngettext(
            "Copied %(addresses)s, who was not added to this ticket’s CCs: only the requester and agents add "
            "CCs by email.",
            "Copied %(addresses)s, who were not added to this ticket’s CCs: only the requester and agents add "
            "CCs by email.",
            len(found),
        ) % {"addresses": ", ".join(found)}
    return ""


def mail_notes(messages: list[Message]) -> dict[int, list[str]]:
    """What the ticket page says next to messages that arrived by email (``inbound_id``, see
    ``with_originals``): a sender whose display name claims another address, and how threading
    treated the mail. One query, and none when no message came by email."""
    ids = [m.pk for m in messages if getattr(m, "inbound_id", None)]
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = InboundEmail.objects.filter(message_id__in=ids).order_by("pk").values("message_id", "sender",
                                                                                  "sender_claim", "notes")
    for row in rows:
        lines = found.setdefault(row["message_id"], [])
        if row["sender_claim"]:
            lines.append(_("Sent by %(sender)s, whose name claims %(claim)s.")
                         % {"sender": row["sender"] or "?", "claim": row["sender_claim"]})
        lines += [text for text in (_note_text(n) for n in row["notes"] or []) if text]
    return {k: v for k, v in found.items() if v}


_TEMPLATES = "channel_email/ticket/"


class EmailTicketPage:
    """The email channel's part of the ticket page."""

    queries = 2  # the notes of mail that arrived, the mail that left

    def annotate(self, messages: QuerySet[Message]) -> QuerySet[Message]:
        return with_originals(messages)

    def parts(self, ticket: Ticket, messages: list[Message]) -> PageParts:
        mail = ticket_mail(ticket, messages)
        found = PageParts()
        if mail.dead:
            found.alerts.append(Part(_TEMPLATES + "_dead.html", {"mail": mail}))
        for m in messages:
            inbound_id = getattr(m, "inbound_id", None)
            if inbound_id:
                found.header[m.pk] = [Part(_TEMPLATES + "_original.html", {"inbound_id": inbound_id})]
        for message_id, notes in mail_notes(messages).items():
            found.before_body[message_id] = [Part(_TEMPLATES + "_notes.html", {"notes": notes})]
        for message_id, deliveries in mail.by_message.items():
            found.after_body[message_id] = [Part(_TEMPLATES + "_deliveries.html", {"deliveries": deliveries})]
        return found

    def reply_route(self, ticket: Ticket) -> ReplyRoute | None:
        if not has_mailbox(ticket):
            return None
        chosen = default_recipients(ticket)
        return ReplyRoute(channel="email", to=list(chosen.to), cc=list(chosen.cc))

    def new_ticket_sender(self, brand_id: int) -> str | None:
        mailbox = Mailbox.objects.filter(brand_id=brand_id, active=True).order_by("pk").only("address").first()
        return mailbox.address if mailbox is not None else None


PAGE = EmailTicketPage()
