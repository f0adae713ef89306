"""Writing outgoing mail: the threading headers, the bodies rendered from the brand-able
templates, and the rows of replies. Rows are written in the caller's transaction; the sender
(sending.py) delivers them after commit. Which mailbox and who receives it: recipients.py; the
acknowledgement: acknowledgement.py; reading the rows: selectors.py."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from frontdesk.channels.email.models import EmailReference, Mailbox, OutboundEmail, OutboundStatus
from frontdesk.channels.email.outgoing import (
    KIND_REPLY,
    attachments_split,
)
from frontdesk.channels.email.pipeline.threading import bare_subject, subject_tag
from frontdesk.channels.email.recipients import (
    _deliverable,
    _email_of,
    mailbox_for_ticket,
    recipients,
)
from frontdesk.channels.email.tokens import reply_address
from frontdesk.tickets.models import Message, Ticket
from frontdesk.tickets.services.messages import Recipients

MAX_REFERENCES = 20


def subject_for(ticket: Ticket) -> str:
    """``Re: <subject> [Ticket #<id>]``: the inbound side parses the number back. The ticket's
    subject loses its reply prefixes (Re:, AW:, SV:, …) and any older ``[Ticket #N]`` tag first."""
    subject = bare_subject(ticket.subject)
    return f"Re: {subject} {subject_tag(ticket.pk)}" if subject else f"Re: {subject_tag(ticket.pk)}"


def new_message_id(mailbox: Mailbox) -> str:
    """Our Message-ID, without angle brackets."""
    domain = mailbox.address.rpartition("@")[2] or "frontdesk.invalid"
    return f"fd.{secrets.token_hex(12)}@{domain}"


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
    bcc: list[str] | None = None,
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
        bcc=bcc or [],
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


def queue_reply(
    *, ticket: Ticket, message: Message, chosen: Recipients | None = None, signature: str | None = None
) -> OutboundEmail | None:
    """Write the outgoing copy of a public agent (or system) message, in the caller's
    transaction. None when the ticket has no mailbox or the requester no address; when the
    requester's address is flagged undeliverable, a row that is never sent (see ``_not_sent``).

    ``chosen``: the To/CC/BCC the agent chose (validated by ``message_add``), else the
    requester and the ticket's CCs; addresses flagged undeliverable are left out, and when no To
    remains the row is written not sent. ``signature``: the one the agent kept for this message,
    else the author's profile signature."""
    mailbox = mailbox_for_ticket(ticket)
    if mailbox is None:
        return None
    bcc: list[str] = []
    if chosen is not None:
        to, cc, bcc = _deliverable(chosen)
        wanted = chosen.to
    else:
        to, cc = recipients(ticket)
        requester = _email_of(ticket.requester)
        wanted = [requester] if requester else []
    if not to and not wanted:
        return None
    author = message.author_user
    if signature is None:
        signature = author.signature if author is not None else ""
    _attached, left_out = attachments_split(message.pk)
    context = template_context(
        ticket,
        mailbox,
        message=message,
        not_attached=left_out,
        body=message.body,
        body_html=message.body_html,
        author_name=(author.name or "") if author is not None else "",
        signature=signature.strip(),
    )
    text, html = render_bodies("reply", context)
    if not to:
        return _not_sent(
            ticket=ticket, mailbox=mailbox, to=wanted, cc=cc, bcc=bcc, text=text, html=html, message=message
        )
    return write_outbound(
        ticket=ticket, mailbox=mailbox, kind=KIND_REPLY, to=to, cc=cc, bcc=bcc, text=text, html=html,
        message=message, auto=False,
    )


NOT_SENT_UNDELIVERABLE = "address flagged undeliverable after a bounce"


def _not_sent(
    *, ticket: Ticket, mailbox: Mailbox, to: list[str], cc: list[str], text: str, html: str, message: Message,
    bcc: list[str] | None = None,
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
        bcc=bcc or [],
        subject=subject_for(ticket),
        header_id=new_message_id(mailbox),
        body_text=text,
        body_html=html,
        status=OutboundStatus.DEAD,
        last_error=NOT_SENT_UNDELIVERABLE,
    )


def reply_to_for(row: OutboundEmail) -> str:
    return reply_address(row.mailbox.address, row.ticket_id)
