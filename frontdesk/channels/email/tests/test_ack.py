"""Auto-acknowledgement of tickets that arrive by email: once per requester and window,
marked auto-replied, never to machines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk.channels.email.addresses import is_machine_address, is_our_address
from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.core.actor import Actor
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def test_new_email_ticket_is_acknowledged_once_per_window(mailbox, smtp_sink, run_on_commit, settings):  # noqa: F811
    settings.EMAIL_ACK_WINDOW_MINUTES = 60
    alice = customer(name="Alice <b>Smith</b>")
    with run_on_commit():
        ticket = email_ticket(mailbox, alice)
    row = OutboundEmail.objects.get(ticket=ticket)
    assert row.kind == "acknowledgement" and row.auto_submitted and row.status == "sent"
    assert row.in_reply_to == "m1@customer.test"
    [sent] = smtp_sink.messages
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["To"] == "alice@customer.test"
    assert sent["Subject"] == f"Re: Printer on fire [Ticket #{ticket.pk}]"
    html = sent.get_body(("html",)).get_content()
    assert "Acme Support" in html and f"#{ticket.pk}" in html
    assert "Alice &lt;b&gt;Smith&lt;/b&gt;" in html and "<b>Smith" not in html

    with run_on_commit():
        second = email_ticket(mailbox, alice, subject="Another thing", header_id="m2@customer.test")
    assert not OutboundEmail.objects.filter(ticket=second).exists()
    assert len(smtp_sink.messages) == 1

    OutboundEmail.objects.filter(pk=row.pk).update(created_at=row.created_at - timedelta(minutes=61))
    with run_on_commit():
        third = email_ticket(mailbox, alice, subject="Third", header_id="m3@customer.test")
    assert OutboundEmail.objects.filter(ticket=third, kind="acknowledgement").count() == 1


@pytest.mark.parametrize(
    "address", ["noreply@shop.test", "no-reply@shop.test", "MAILER-DAEMON@mx.test", "support+t1-abc@acme.test"]
)
def test_machines_and_our_own_addresses_are_never_acknowledged(mailbox, smtp_sink, run_on_commit, address):  # noqa: F811
    with run_on_commit():
        ticket = email_ticket(mailbox, customer(address.lower()))
    assert not OutboundEmail.objects.filter(ticket=ticket).exists()
    assert smtp_sink.messages == []


def test_switched_off_per_mailbox(mailbox, smtp_sink, run_on_commit):  # noqa: F811
    mailbox.auto_acknowledge = False
    mailbox.save()
    with run_on_commit():
        email_ticket(mailbox, customer())
    assert not OutboundEmail.objects.exists()


def test_only_tickets_created_by_email(mailbox, smtp_sink, run_on_commit, agent):  # noqa: F811
    with run_on_commit():
        web = ticket_create(
            actor=Actor.system("web"), requester=customer(), subject="Form", body="b", channel="web",
            brand=mailbox.brand,
        )
    assert not OutboundEmail.objects.filter(ticket=web).exists()
    with run_on_commit():
        by_agent = ticket_create(
            actor=Actor.of(agent), requester=customer("bob@customer.test"), subject="Hi", body="Hello",
            channel="email", brand=mailbox.brand, author_user=agent,
        )
    assert list(OutboundEmail.objects.filter(ticket=by_agent).values_list("kind", flat=True)) == ["reply"]


def test_machine_address_rules() -> None:
    own = ["support@acme.test"]
    assert is_machine_address("bounce-123@lists.test")
    assert is_our_address("Support+Anything@ACME.test", own)
    assert is_machine_address("not-an-address")
    assert not is_machine_address("alice@customer.test") and not is_our_address("alice@customer.test", own)
    assert not is_machine_address("support@other.test") and not is_our_address("support@other.test", own)
