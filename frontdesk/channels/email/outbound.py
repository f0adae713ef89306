"""Building outgoing mail: which mailbox a ticket answers from, who receives it, the threading
headers, and the bodies rendered from the brand-able templates. Rows are written in the
caller's transaction; the sender (sending.py) delivers them after commit."""

from __future__ import annotations

import email.policy
import secrets
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from frontdesk.accounts.models import User
from frontdesk.channels.email.mailboxes import own_addresses
from frontdesk.channels.email.models import EmailReference, InboundEmail, Mailbox, OutboundEmail, OutboundStatus
from frontdesk.channels.email.pipeline.parse import header
from frontdesk.channels.email.pipeline.threading import bare_subject, subject_tag
from frontdesk.channels.email.tokens import reply_address
from frontdesk.core.errors import NotFound
from frontdesk.customers.models import Contact, Identity
from frontdesk.tickets.models import Attachment, Message, Ticket
from frontdesk.tickets.selectors import ticket_get

MAX_REFERENCES = 20
KIND_REPLY = "reply"
KIND_ACK = "acknowledgement"
KIND_NOTIFICATION = "notification"  # to an agent: no reply token, its own thread (notifications.py)

# local parts of addresses that are machines: never acknowledged
_MACHINE_LOCALS = {
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "bounce",
    "bounces",
    "auto-reply",
    "autoreply",
}


def mailbox_for_ticket(ticket: Ticket) -> Mailbox | None:
    """The mailbox of the ticket's first inbound email, else the first active mailbox of its
    brand, else None (then no mail is sent)."""
    inbound = (
        InboundEmail.objects.filter(ticket_id=ticket.pk, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("received_at", "pk")
        .first()
    )
    if inbound is not None and inbound.mailbox is not None:
        return inbound.mailbox
    return Mailbox.objects.filter(brand_id=ticket.brand_id, active=True).order_by("pk").first()


def subject_for(ticket: Ticket) -> str:
    """``Re: <subject> [Ticket #<id>]``: the inbound side parses the number back. The ticket's
    subject loses its reply prefixes (Re:, AW:, SV:, …) and any older ``[Ticket #N]`` tag first."""
    subject = bare_subject(ticket.subject)
    return f"Re: {subject} {subject_tag(ticket.pk)}" if subject else f"Re: {subject_tag(ticket.pk)}"


def new_message_id(mailbox: Mailbox) -> str:
    """Our Message-ID, without angle brackets."""
    domain = mailbox.address.rpartition("@")[2] or "frontdesk.invalid"
    return f"fd.{secrets.token_hex(12)}@{domain}"


def _undeliverable(addresses: list[str]) -> set[str]:
    return set(
        Identity.objects.filter(kind="email", value__in=addresses, undeliverable=True).values_list("value", flat=True)
    )


def _email_of(contact: Contact) -> str:
    return (contact.primary_email or "").strip().lower()


def recipients(ticket: Ticket) -> tuple[list[str], list[str]]:
    """(to, cc): the requester's address and the cc contacts' addresses, skipping addresses
    flagged undeliverable. ``to`` is empty when the requester cannot be mailed."""
    requester = _email_of(ticket.requester)
    ccs = [_email_of(c) for c in ticket.ccs.all()]
    candidates = [a for a in [requester, *ccs] if a]
    bad = _undeliverable(candidates)
    to = [requester] if requester and requester not in bad else []
    cc: list[str] = []
    for address in ccs:
        if address and address not in bad and address not in to and address not in cc:
            cc.append(address)
    return to, cc


def threading_headers(ticket: Ticket) -> tuple[str, str]:
    """(In-Reply-To, References) for a new message on ``ticket``: the latest Message-ID we
    received on it, and the chain of every Message-ID of the ticket (first one kept, then the
    most recent, at most MAX_REFERENCES)."""
    refs = list(
        EmailReference.objects.filter(ticket_id=ticket.pk)
        .order_by("created_at", "pk")
        .values_list("header_id", "outgoing")
    )
    incoming = [h for h, out in refs if not out]
    in_reply_to = incoming[-1] if incoming else (refs[-1][0] if refs else "")
    chain = list(dict.fromkeys(h for h, _ in refs))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return in_reply_to, " ".join(f"<{h}>" for h in chain)


def max_outbound_attachment_bytes() -> int:
    return int(getattr(settings, "EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES", 20 * 1024 * 1024))


def attachments_split(message_id: int | None) -> tuple[list[Attachment], list[Attachment]]:
    """(attached, left out): a message's attachments in upload order, each attached while the
    total stays within EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES; the rest are named in the body
    instead. Deterministic, so the body written at queue time and the files read at send time
    agree."""
    if message_id is None:
        return [], []
    cap = max_outbound_attachment_bytes()
    attached: list[Attachment] = []
    left_out: list[Attachment] = []
    total = 0
    for attachment in Attachment.objects.filter(message_id=message_id).order_by("pk"):
        if total + attachment.size <= cap:
            attached.append(attachment)
            total += attachment.size
        else:
            left_out.append(attachment)
    return attached, left_out


def template_context(ticket: Ticket, mailbox: Mailbox, **extra: Any) -> dict[str, Any]:
    brand = ticket.brand
    return {
        "ticket": ticket,
        "brand": brand,
        "brand_name": brand.name,
        "primary_color": brand.primary_color or "#1f6feb",
        "accent_color": brand.accent_color or "#0b7a53",
        "mailbox": mailbox,
        "requester_name": ticket.requester.name,
        **extra,
    }


def render_bodies(template: str, context: dict[str, Any]) -> tuple[str, str]:
    text = render_to_string(f"channel_email/{template}.txt", context).strip() + "\n"
    html = render_to_string(f"channel_email/{template}.html", context)
    return text, html


def write_outbound(
    *,
    ticket: Ticket,
    mailbox: Mailbox,
    kind: str,
    to: list[str],
    cc: list[str],
    text: str,
    html: str,
    message: Message | None,
    auto: bool,
    subject: str | None = None,
    thread: tuple[str, str] | None = None,
) -> OutboundEmail:
    """Write one outgoing row (sent after commit). By default it continues the customer's thread:
    the subject is ``subject_for(ticket)``, the threading headers are the ticket's, and its
    Message-ID is registered as one of the ticket's, so an answer to it finds the ticket.

    ``thread`` (In-Reply-To, References) gives the row a thread of its own instead: its
    Message-ID is then not registered, and no answer to it threads into the ticket by its
    headers (notifications to agents)."""
    if thread is None:
        in_reply_to, references = threading_headers(ticket)
    else:
        in_reply_to, references = thread
    header_id = new_message_id(mailbox)
    row = OutboundEmail.objects.create(
        mailbox=mailbox,
        ticket=ticket,
        message=message,
        kind=kind,
        to=to,
        cc=cc,
        subject=subject if subject is not None else subject_for(ticket),
        header_id=header_id,
        in_reply_to=in_reply_to,
        references=references,
        body_text=text,
        body_html=html,
        auto_submitted=auto,
    )
    if thread is None:
        EmailReference.objects.create(header_id=header_id, ticket=ticket, message=message, outgoing=True)
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(outbound_id: int) -> None:
    from frontdesk.channels.email.tasks import send_outbound_task
    from frontdesk.core.unavailable import note_enqueue_failure

    try:
        send_outbound_task(outbound_id)
    except Exception as exc:  # the periodic send_due picks it up; the reply itself is saved
        note_enqueue_failure(f"outbound email {outbound_id}", exc)


def queue_reply(*, ticket: Ticket, message: Message) -> OutboundEmail | None:
    """Write the outgoing copy of a public agent (or system) message, in the caller's
    transaction. None when the ticket has no mailbox or the requester no address; when the
    requester's address is flagged undeliverable, a row that is never sent (see ``_not_sent``)."""
    mailbox = mailbox_for_ticket(ticket)
    if mailbox is None:
        return None
    to, cc = recipients(ticket)
    requester = _email_of(ticket.requester)
    if not to and not requester:
        return None
    author = message.author_user
    _attached, left_out = attachments_split(message.pk)
    context = template_context(
        ticket,
        mailbox,
        message=message,
        not_attached=left_out,
        body=message.body,
        body_html=message.body_html,
        author_name=(author.name or "") if author is not None else "",
        signature=(author.signature if author is not None else "").strip(),
    )
    text, html = render_bodies("reply", context)
    if not to:
        return _not_sent(ticket=ticket, mailbox=mailbox, to=[requester], cc=cc, text=text, html=html, message=message)
    return write_outbound(
        ticket=ticket, mailbox=mailbox, kind=KIND_REPLY, to=to, cc=cc, text=text, html=html, message=message,
        auto=False,
    )


NOT_SENT_UNDELIVERABLE = "address flagged undeliverable after a bounce"


def _not_sent(
    *, ticket: Ticket, mailbox: Mailbox, to: list[str], cc: list[str], text: str, html: str, message: Message
) -> OutboundEmail:
    """A reply that is not emailed because the requester's address bounced: written already given
    up (the sender only claims pending and failed rows), so the ticket page and the API show it
    was not sent, and why. Not registered as one of the ticket's Message-IDs: it never leaves."""
    return OutboundEmail.objects.create(
        mailbox=mailbox,
        ticket=ticket,
        message=message,
        kind=KIND_REPLY,
        to=to,
        cc=cc,
        subject=subject_for(ticket),
        header_id=new_message_id(mailbox),
        body_text=text,
        body_html=html,
        status=OutboundStatus.DEAD,
        last_error=NOT_SENT_UNDELIVERABLE,
    )


def ack_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "EMAIL_ACK_WINDOW_MINUTES", 60)))


def is_machine_address(address: str, own: list[str]) -> bool:
    """Mailer daemons, no-reply senders, and our own mailboxes (any plus-variant) are machines."""
    address = address.strip().lower()
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        return True
    base = local.split("+", 1)[0]
    if base in _MACHINE_LOCALS or base.startswith(("noreply", "no-reply", "mailer-daemon", "bounce")):
        return True
    own_bases = set()
    for other in own:
        o_local, _, o_domain = other.strip().lower().rpartition("@")
        own_bases.add(f"{o_local.split('+', 1)[0]}@{o_domain}")
    return f"{base}@{domain}" in own_bases


ACK_MAX_AGE = timedelta(days=1)
HEAD_BYTES = 64 * 1024


def _opening_head(ticket: Ticket) -> EmailMessage | None:
    """The header block of the stored message that opened ``ticket`` (read from the first 64 KB
    of its raw file), or None when there is none or it cannot be read."""
    inbound = InboundEmail.objects.filter(ticket_id=ticket.pk).order_by("received_at", "pk").only("raw").first()
    if inbound is None or not inbound.raw:
        return None
    try:
        with inbound.raw.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except (OSError, ValueError):
        return None
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    head = head[: min(ends)] if ends else head
    return BytesHeaderParser(policy=email.policy.default).parsebytes(head)  # type: ignore[return-value]


def _wants_acknowledgement(ticket: Ticket) -> bool:
    """False for a message whose sender asked for no automatic answers (Exchange and Outlook put
    ``X-Auto-Response-Suppress`` on ordinary mail too: it opens a ticket, without an
    acknowledgement), and for one written more than ACK_MAX_AGE ago (the first poll of a
    mailbox imports its old mail: those senders are not acknowledged weeks later)."""
    head = _opening_head(ticket)
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
    if is_machine_address(to[0], own):
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


def reply_to_for(row: OutboundEmail) -> str:
    return reply_address(row.mailbox.address, row.ticket_id)


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
