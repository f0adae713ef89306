"""Bounces (RFC 3464 delivery status notifications): a note on the ticket whose reply bounced,
and the recipient's address flagged as undeliverable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message

from frontdesk.channels.email.models import EmailReference
from frontdesk.channels.email.pipeline.parse import decode_part, header
from frontdesk.channels.email.pipeline.store import clean_id
from frontdesk.core.actor import Actor
from frontdesk.customers.models import Identity, IdentityKind
from frontdesk.tickets.models import MessageKind, StatusCategory, Ticket
from frontdesk.tickets.services import message_add

_FIELD = re.compile(r"^(Final-Recipient|Original-Recipient|Status|Diagnostic-Code|Message-ID)\s*:\s*(.+)$", re.I | re.M)


@dataclass
class Bounce:
    recipient: str
    status: str
    diagnostic: str
    bounced_id: str


def _text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # message/delivery-status, message/rfc822: header blocks
        return "\n\n".join(str(p) for p in payload if isinstance(p, Message))
    return decode_part(part)


def read_dsn(msg: EmailMessage) -> Bounce:
    recipient = status = diagnostic = bounced = ""
    for n, part in enumerate(msg.walk()):
        if n > 200:
            break
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            fields = {k.lower(): v.strip() for k, v in reversed(_FIELD.findall(_text(part)))}
            recipient = fields.get("final-recipient", fields.get("original-recipient", "")).split(";")[-1].strip()
            status = fields.get("status", "")
            diagnostic = fields.get("diagnostic-code", "").split(";", 1)[-1].strip()
        elif ctype in ("text/rfc822-headers", "message/rfc822") and not bounced:
            inner = part.get_payload()
            if ctype == "message/rfc822" and isinstance(inner, list) and inner and isinstance(inner[0], Message):
                bounced = clean_id(header(inner[0], "Message-ID"))
            else:
                found = re.search(r"^Message-ID\s*:\s*(.+)$", _text(part), re.I | re.M)
                bounced = clean_id(found.group(1)) if found else ""
    return Bounce(recipient.lower()[:254], status[:20], diagnostic[:500], bounced)


def handle_bounce(msg: EmailMessage) -> tuple[Ticket, object] | None:
    """Attach a note to the ticket whose message bounced; None when it is not one of ours."""
    dsn = read_dsn(msg)
    if dsn.recipient:
        Identity.objects.filter(kind=IdentityKind.EMAIL, value=dsn.recipient).update(undeliverable=True)
    ref = (
        EmailReference.objects.filter(header_id=dsn.bounced_id, outgoing=True).select_related("ticket").first()
        if dsn.bounced_id
        else None
    )
    if ref is None or ref.ticket.status_category == StatusCategory.CLOSED:
        return None
    detail = ": ".join(x for x in (dsn.status, dsn.diagnostic) if x) or "no details given"
    note = message_add(
        actor=Actor.system("email"),
        by=None,
        ticket=ref.ticket,
        body=f"Delivery failed to {dsn.recipient or 'the recipient'}: {detail}",
        kind=MessageKind.NOTE,
        channel="email",
    )
    return ref.ticket, note
