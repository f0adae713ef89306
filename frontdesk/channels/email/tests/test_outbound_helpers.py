"""Shared set-up of the sending tests (no tests here): an SMTP sink on loopback that can be
taken down and brought back, a mailbox pointing at it, and a ticket that arrived by email."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.brands.models import Brand
from frontdesk.channels.email.models import EmailReference, InboundEmail, Mailbox
from frontdesk.core.actor import Actor
from frontdesk.customers.models import Contact
from frontdesk.testing import factories as f
from frontdesk.testing.smtp_sink import SmtpSink, free_port  # noqa: F401  (the sending tests import them here)
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create


@pytest.fixture
def smtp_sink():  # type: ignore[no-untyped-def]
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def brand(db):  # type: ignore[no-untyped-def]
    return Brand.objects.create(name="Acme Support", slug="acme", primary_color="#ab1234", accent_color="#00cc77")


def make_mailbox(brand: Brand, sink: SmtpSink | None, **kw: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": "Acme",
        "address": "support@acme.test",
        "brand": brand,
        "smtp_host": "127.0.0.1" if sink else "",
        "smtp_port": sink.port if sink else 25,
        "smtp_starttls": False,
    }
    values.update(kw)
    return Mailbox.objects.create(**values)


@pytest.fixture
def mailbox(brand, smtp_sink):  # type: ignore[no-untyped-def]
    return make_mailbox(brand, smtp_sink)


def customer(email_address: str = "alice@customer.test", name: str = "Alice") -> Contact:
    return f.ContactFactory(primary_email=email_address, name=name)


def email_ticket(
    mailbox: Mailbox, requester: Contact, *, subject: str = "Printer on fire", header_id: str = "m1@customer.test"
) -> Ticket:
    """A ticket as the inbound pipeline makes it: created by the system for the customer, with
    the stored message and its Message-ID."""
    ticket = ticket_create(
        actor=Actor.system("email"), requester=requester, subject=subject, body="It is on fire.",
        channel="email", brand=mailbox.brand,
    )
    InboundEmail.objects.create(
        mailbox=mailbox, source="cli", raw="mail/inbound/x.eml", size=1, sha256="0" * 64, header_id=header_id,
        status="processed", ticket=ticket,
    )
    EmailReference.objects.create(header_id=header_id, ticket=ticket, outgoing=False)
    return ticket
