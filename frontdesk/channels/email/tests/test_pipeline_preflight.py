"""Preflight: machine mail, our own mail, bursts, size and bounces never become tickets."""

from __future__ import annotations

import pytest
from django.test import override_settings

from frontdesk.channels.email.models import InboundStatus, Mailbox
from frontdesk.channels.email.tests.test_pipeline_common import (
    eml,
    ingest,
    make_mailbox,
    message_of,
    sent_from,
    ticket_of,
)
from frontdesk.customers.models import Identity
from frontdesk.tickets.models import MessageKind, Ticket

pytestmark = pytest.mark.django_db


def plain(headers: str, sender: str = "carla@customer.test", n: int = 1) -> bytes:
    return (
        f"From: {sender}\nTo: support@frontdesk.test\nSubject: Hello\nMessage-ID: <m{n}-{hash(headers)}@x.test>\n"
        f"{headers}\n\nThe body.\n"
    ).encode()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied", "auto-submitted: auto-replied"),
        ("Auto-Submitted: auto-generated; owner-email=x@y.test", "auto-submitted"),
        ("Precedence: bulk", "precedence: bulk"),
        ("Precedence: junk", "precedence: junk"),
        ("Precedence: list", "precedence: list"),
    ],
)
def test_machine_mail_is_ignored(mailbox: Mailbox, headers: str, reason: str) -> None:
    row = ingest(mailbox, plain(headers))
    assert row.status == InboundStatus.IGNORED and row.reason.startswith(reason)
    assert not Ticket.objects.exists()


def test_auto_submitted_no_is_a_person(mailbox: Mailbox) -> None:
    assert ingest(mailbox, plain("Auto-Submitted: no")).status == InboundStatus.PROCESSED


def test_x_auto_response_suppress_is_a_person_too(mailbox: Mailbox) -> None:
    """Exchange and Outlook put it on ordinary mail: a ticket (without an acknowledgement, test_bounces.py)."""
    row = ingest(mailbox, plain("X-Auto-Response-Suppress: All"))
    assert row.status == InboundStatus.PROCESSED and ticket_of(row).subject == "Hello"


def test_our_own_mail_coming_back_is_ignored(mailbox: Mailbox) -> None:
    make_mailbox("sales@frontdesk.test")
    row = ingest(mailbox, plain("X-Test: 1", sender="Sales <sales@frontdesk.test>"))
    assert row.status == InboundStatus.IGNORED and row.reason.startswith("own mail")
    ticket = ticket_of(ingest(mailbox, eml("new_ticket.eml")))
    ours = sent_from(ticket)
    looped = f"From: carla@customer.test\nTo: support@frontdesk.test\nMessage-ID: <{ours}>\n\nx\n".encode()
    again = ingest(mailbox, looped)
    assert again.status == InboundStatus.IGNORED and again.reason == "own mail: a Message-ID we sent"


def test_too_large_is_quarantined(mailbox: Mailbox) -> None:
    mailbox.max_message_bytes = 100
    mailbox.save()
    row = ingest(mailbox, eml("new_ticket.eml"))
    assert row.status == InboundStatus.QUARANTINED and row.reason.startswith("too large")


@override_settings(EMAIL_BURST_LIMIT=3, EMAIL_BURST_WINDOW_MINUTES=10)
def test_a_burst_from_one_sender_is_quarantined(mailbox: Mailbox) -> None:
    rows = [ingest(mailbox, plain("X-N: 1", n=i)) for i in range(5)]
    assert [r.status for r in rows[:3]] == [InboundStatus.PROCESSED] * 3
    assert rows[3].status == InboundStatus.QUARANTINED and rows[3].reason.startswith("burst")
    other = ingest(mailbox, plain("X-N: 1", sender="dan@customer.test", n=99))
    assert other.status == InboundStatus.PROCESSED


def dsn(bounced_id: str, recipient: str = "carla@customer.test") -> bytes:
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.frontdesk.test>
To: support@frontdesk.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-{bounced_id}@mx.frontdesk.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

Your message could not be delivered.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.frontdesk.test

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--dsn
Content-Type: text/rfc822-headers

From: support@frontdesk.test
To: {recipient}
Subject: Re: Printer
Message-ID: <{bounced_id}>

--dsn--
""".encode()


def test_bounce_adds_a_note_and_flags_the_address(mailbox: Mailbox) -> None:
    row = ingest(mailbox, eml("new_ticket.eml"))
    ticket = ticket_of(row)
    ours = sent_from(ticket)
    bounce = ingest(mailbox, dsn(ours))
    assert bounce.status == InboundStatus.PROCESSED and bounce.ticket_id == ticket.pk
    note = message_of(bounce)
    assert note.kind == MessageKind.NOTE
    assert note.body.startswith("Delivery failed to carla@customer.test: 5.1.1: 550 5.1.1 User unknown.")
    assert Identity.objects.get(value="carla@customer.test").undeliverable is True
    assert Ticket.objects.count() == 1


def test_bounce_of_something_we_did_not_send_is_ignored(mailbox: Mailbox) -> None:
    row = ingest(mailbox, dsn("unknown@elsewhere.test", recipient="nobody@customer.test"))
    assert row.status == InboundStatus.IGNORED and row.reason == "bounce"
    assert not Ticket.objects.exists()
