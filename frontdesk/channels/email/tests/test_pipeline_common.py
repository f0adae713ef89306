"""Shared helpers of the inbound pipeline tests (fixtures are imported by the test modules)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from frontdesk.brands.services import default_brand
from frontdesk.channels.email.inbound import process_inbound, receive_raw
from frontdesk.channels.email.models import EmailReference, InboundEmail, Mailbox
from frontdesk.tickets.models import Message, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
APPLE_TEXT = (
    "Yes, it is the X200.\n\nSent from my Mac\n\n> On 23 Nov 2026, at 10:30, Support wrote:\n>\n> Which model?\n"
)


def eml(name: str, **values: Any) -> bytes:
    text = (FIXTURES / name).read_text()
    values.setdefault("apple_b64", base64.encodebytes(APPLE_TEXT.encode()).decode())
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text.encode()


def make_mailbox(address: str = "support@frontdesk.test") -> Mailbox:
    return Mailbox.objects.create(name="Support", address=address, brand=default_brand())


def raise_limit(mailbox: Mailbox, size: int) -> None:
    """What an admin does to let a too-large message through: a larger limit, saved by the service."""
    from frontdesk.channels.email.mailboxes import mailbox_save
    from frontdesk.core.actor import Actor
    from frontdesk.testing import factories as f

    admin = f.UserFactory(role="admin")
    mailbox_save(actor=Actor.of(admin), mailbox=mailbox, max_message_bytes=size)


def ingest(mailbox: Mailbox | None, raw: bytes, source: str = "cli") -> InboundEmail:
    return process_inbound(receive_raw(mailbox=mailbox, raw=raw, source=source).pk)


def sent_from(ticket: Ticket, header_id: str = "") -> str:
    """A Message-ID we sent on ``ticket`` (as the outbound side records it)."""
    header_id = header_id or f"reply-{ticket.pk}-{EmailReference.objects.count()}@frontdesk.test"
    EmailReference.objects.create(header_id=header_id, ticket=ticket, outgoing=True)
    return header_id


def test_eml_fills_placeholders() -> None:
    raw = eml("token_reply.eml", token_address="x@y.test")
    assert b"To: x@y.test" in raw and b"{" not in raw


def ticket_of(row: InboundEmail) -> Ticket:
    assert row.ticket_id is not None, row.reason
    return Ticket.objects.get(pk=row.ticket_id)


def message_of(row: InboundEmail) -> Message:
    assert row.message_id is not None, row.reason
    return Message.objects.get(pk=row.message_id)
