"""The automatic acknowledgement ('we received your request') of a ticket created by email, and
the rules for when one is written."""

from __future__ import annotations

import email.policy
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.utils import timezone

from frontdesk.channels.email.addresses import is_machine_address, is_our_address
from frontdesk.channels.email.mailboxes import own_addresses
from frontdesk.channels.email.models import IMPORTED, InboundEmail, OutboundEmail
from frontdesk.channels.email.outbound import render_bodies, template_context, write_outbound
from frontdesk.channels.email.outgoing import KIND_ACK
from frontdesk.channels.email.pipeline.parse import header
from frontdesk.channels.email.recipients import mailbox_for_ticket, recipients
from frontdesk.tickets.models import Ticket


def ack_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "EMAIL_ACK_WINDOW_MINUTES", 60)))


ACK_MAX_AGE = timedelta(days=1)
HEAD_BYTES = 64 * 1024


def _opening(ticket: Ticket) -> tuple[EmailMessage | None, str]:
    """The header block of the stored message that opened ``ticket`` (read from the first 64 KB
    of its raw file), or None when there is none or it cannot be read; and how it arrived."""
    inbound = (InboundEmail.objects.filter(ticket_id=ticket.pk).order_by("received_at", "pk")
               .only("raw", "source").first())
    if inbound is None or not inbound.raw:
        return None, ""
    try:
        with inbound.raw.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except (OSError, ValueError):
        return None, inbound.source
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    head = head[: min(ends)] if ends else head
    return BytesHeaderParser(policy=email.policy.default).parsebytes(head), inbound.source  # type: ignore[return-value]


def _wants_acknowledgement(ticket: Ticket) -> bool:
    """False for a message whose sender asked for no automatic answers (Exchange and Outlook put
    ``X-Auto-Response-Suppress`` on ordinary mail too: it opens a ticket, without an
    acknowledgement), and for one written more than ACK_MAX_AGE ago (the first poll of a
    mailbox imports its old mail: those senders are not acknowledged weeks later), nor one of a
    mailbox history that `frontdesk mail import` brought in, whatever its date."""
    head, source = _opening(ticket)
    if source == IMPORTED:
        return False
    if head is None:
        return True
    if header(head, "X-Auto-Response-Suppress").strip().lower() not in ("", "none"):
        return False
    try:
        written = parsedate_to_datetime(header(head, "Date"))
    except (TypeError, ValueError, IndexError):
        return True  # no readable date: judged by the other rules
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    return written >= timezone.now() - ACK_MAX_AGE


def queue_acknowledgement(*, ticket: Ticket) -> OutboundEmail | None:
    """The automatic 'we received your request' for a ticket created by email, when its mailbox
    acknowledges, the requester is a person, no acknowledgement went to that requester from that
    mailbox within the window, and the message itself does not rule it out (see
    ``_wants_acknowledgement``)."""
    mailbox = mailbox_for_ticket(ticket)
    if mailbox is None or not mailbox.auto_acknowledge or not mailbox.active:
        return None
    to, _cc = recipients(ticket)
    if not to:
        return None
    own = [*own_addresses(), *(ticket.brand.support_emails or [])]
    if is_machine_address(to[0]) or is_our_address(to[0], own):
        return None
    recent = OutboundEmail.objects.filter(
        kind=KIND_ACK,
        mailbox=mailbox,
        ticket__requester_id=ticket.requester_id,
        created_at__gte=timezone.now() - ack_window(),
    )
    if recent.exists():
        return None
    if not _wants_acknowledgement(ticket):
        return None
    text, html = render_bodies("acknowledgement", template_context(ticket, mailbox))
    return write_outbound(
        ticket=ticket, mailbox=mailbox, kind=KIND_ACK, to=to, cc=[], text=text, html=html, message=None, auto=True
    )
