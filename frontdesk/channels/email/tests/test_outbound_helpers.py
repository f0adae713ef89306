"""Shared set-up of the sending tests (no tests here): an SMTP sink on loopback that can be
taken down and brought back, a mailbox pointing at it, and a ticket that arrived by email."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from frontdesk.brands.models import Brand
from frontdesk.channels.email.models import EmailReference, InboundEmail, Mailbox
from frontdesk.core.actor import Actor
from frontdesk.customers.models import Contact
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Collect:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.sink.envelopes.append(envelope)
        return "250 OK"


class SmtpSink:
    """aiosmtpd on a free loopback port, collecting what it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.envelopes: list[Any] = []
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


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
        actor=Actor.system("email"), by=None, requester=requester, subject=subject, body="It is on fire.",
        channel="email", brand=mailbox.brand,
    )
    InboundEmail.objects.create(
        mailbox=mailbox, source="cli", raw="mail/inbound/x.eml", size=1, sha256="0" * 64, header_id=header_id,
        status="processed", ticket=ticket,
    )
    EmailReference.objects.create(header_id=header_id, ticket=ticket, outgoing=False)
    return ticket
