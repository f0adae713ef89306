"""Delivery status notifications and the acknowledgement's exceptions, through the real pipeline:
only a permanent failure flags an address; a reply to a flagged address is shown as not emailed
and never sent; the customer writing again clears the flag. Mail carrying
X-Auto-Response-Suppress, or written more than a day ago, opens a ticket without an
acknowledgement."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from frontdesk.channels.email import sending
from frontdesk.channels.email.models import InboundStatus, Mailbox, OutboundEmail
from frontdesk.channels.email.tests.test_pipeline_common import ingest, message_of, ticket_of
from frontdesk.core.actor import Actor
from frontdesk.customers.models import Identity
from frontdesk.tickets.models import Message, MessageKind, Ticket
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db

CARLA = "carla@customer.test"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)


def mail(n: int = 1, *, headers: str = "", subject: str = "Printer", written: timedelta = timedelta(0)) -> bytes:
    date = format_datetime(timezone.now() - written)
    return (
        f"From: Carla <{CARLA}>\nTo: support@frontdesk.test\nSubject: {subject}\nDate: {date}\n"
        f"Message-ID: <c{n}@customer.test>\n{headers}\n\nIt does not print.\n"
    ).replace("\n\n\n", "\n\n").encode()


def recipient_block(recipient: str, action: str, status: str, diagnostic: str = "") -> str:
    block = f"Final-Recipient: rfc822; {recipient}\nAction: {action}\nStatus: {status}\n"
    return block + (f"Diagnostic-Code: smtp;\n {diagnostic}\n" if diagnostic else "")


def dsn(bounced_id: str, *blocks: str) -> bytes:
    body = "\n".join(blocks)
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.frontdesk.test>
To: support@frontdesk.test
Subject: Delivery Status Notification
Message-ID: <dsn-{abs(hash(body))}@mx.frontdesk.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

A report on your message.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.frontdesk.test
Arrival-Date: Mon, 23 Nov 2026 10:00:00 +0000

{body}
--dsn
Content-Type: text/rfc822-headers

From: support@frontdesk.test
To: {CARLA}
Message-ID: <{bounced_id}>

--dsn--
""".encode()


def reply(agent: Any, ticket: Ticket, body: str) -> Message:
    return message_add(actor=Actor.of(agent), ticket=ticket, body=body)


def flagged(address: str = CARLA) -> bool:
    return Identity.objects.get(kind="email", value=address).undeliverable


@pytest.fixture
def answered(agent: Any, mailbox: Mailbox, run_on_commit: Any, mailoutbox: list[Any]) -> tuple[Ticket, OutboundEmail]:
    """Carla's ticket with a reply that went out (no acknowledgement, to keep the outbox plain)."""
    mailbox.auto_acknowledge = False
    mailbox.save()
    ticket = ticket_of(ingest(mailbox, mail()))
    with run_on_commit():
        message = reply(agent, ticket, "Please restart it.")
    row = OutboundEmail.objects.get(message=message)
    assert row.status == "sent" and len(mailoutbox) == 1
    return ticket, row


def test_a_delay_is_a_note_and_the_address_stays_deliverable(mailbox: Mailbox, answered: Any) -> None:
    ticket, sent = answered
    report = ingest(mailbox, dsn(sent.header_id, recipient_block(CARLA, "delayed", "4.4.1", "connection timed out")))
    assert report.status == InboundStatus.PROCESSED and report.ticket_id == ticket.pk
    note = message_of(report)
    assert note.kind == MessageKind.NOTE
    assert note.body == (
        f"Delivery to {CARLA} is delayed: 4.4.1: connection timed out. The mail server keeps trying; "
        "no action is needed yet."
    )
    assert "failed" not in note.body
    assert flagged() is False


def test_a_permanent_failure_flags_the_address(mailbox: Mailbox, answered: Any) -> None:
    ticket, sent = answered
    report = ingest(mailbox, dsn(sent.header_id, recipient_block(CARLA, "failed", "5.1.1", "550 5.1.1 User unknown")))
    note = message_of(report)
    assert note.kind == MessageKind.NOTE and note.ticket_id == ticket.pk
    assert note.body.startswith(f"Delivery failed to {CARLA}: 5.1.1: 550 5.1.1 User unknown. The address is flagged")
    assert flagged() is True


def test_each_recipient_of_a_report_is_judged_on_its_own(mailbox: Mailbox, answered: Any) -> None:
    _ticket, sent = answered
    Identity.objects.create(contact=Identity.objects.get(value=CARLA).contact, kind="email", value="old@customer.test")
    report = ingest(
        mailbox,
        dsn(
            sent.header_id,
            recipient_block("old@customer.test", "failed", "5.2.1", "mailbox disabled"),
            recipient_block(CARLA, "delayed", "4.2.2", "mailbox full"),
            recipient_block("boss@customer.test", "delivered", "2.0.0"),
            recipient_block("gone@customer.test", "failed", "4.4.7", "expired in queue"),
        ),
    )
    lines = message_of(report).body.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Delivery failed to old@customer.test",
        f"Delivery to {CARLA} is delayed",
        "Delivery failed to gone@customer.test",
    ]
    assert "not flagged" in lines[2]
    assert flagged("old@customer.test") is True and flagged() is False


def test_a_failure_report_about_mail_we_cannot_match_is_ignored_but_flags_the_address(
    mailbox: Mailbox, answered: Any
) -> None:
    report = ingest(mailbox, dsn("not-ours@elsewhere.test", recipient_block(CARLA, "failed", "5.1.1", "User unknown")))
    assert report.status == InboundStatus.IGNORED and report.reason == "bounce"
    assert flagged() is True, "the address failed for good, whichever message the report is about"


@pytest.mark.parametrize("action", ["delivered", "relayed", "expanded"])
def test_success_reports_are_ignored(mailbox: Mailbox, answered: Any, action: str) -> None:
    ticket, sent = answered
    report = ingest(mailbox, dsn(sent.header_id, recipient_block(CARLA, action, "2.0.0")))
    assert report.status == InboundStatus.IGNORED and report.reason == "bounce"
    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).exists()
    assert flagged() is False


def test_reply_to_a_bounced_address_is_shown_not_sent_until_the_customer_writes_again(
    agent: Any, mailbox: Mailbox, answered: Any, run_on_commit: Any, mailoutbox: list[Any]
) -> None:
    ticket, sent = answered
    ingest(mailbox, dsn(sent.header_id, recipient_block(CARLA, "failed", "5.1.1", "550 User unknown")))
    assert flagged() is True

    with run_on_commit():
        unsent = reply(agent, ticket, "Did the restart help?")
    row = OutboundEmail.objects.get(message=unsent)
    assert (row.status, row.attempts, row.to) == ("dead", 0, [CARLA])
    assert row.last_error == "address flagged undeliverable after a bounce"
    assert sending.send_due() == 0 and not sending.send_one(row.pk)
    assert len(mailoutbox) == 1, "nothing more was sent"

    client = Client()
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    start = page.index(f'id="message-{unsent.pk}"')
    part = page[start : page.index("</article>", start)]
    assert f"Not emailed to {CARLA}: address flagged undeliverable after a bounce" in part
    assert "gave up after" not in page, "it was never tried"
    api = client.get(f"/api/v1/tickets/{ticket.pk}/emails").json()["items"]
    assert {(e["status"], e["last_error"]) for e in api if e["message_id"] == unsent.pk} == {
        ("dead", "address flagged undeliverable after a bounce")
    }

    again = ingest(mailbox, mail(2, subject=f"Re: Printer [Ticket #{ticket.pk}]"))
    assert again.status == InboundStatus.PROCESSED and again.ticket_id == ticket.pk
    assert flagged() is False

    with run_on_commit():
        answer = reply(agent, ticket, "Good to hear from you.")
    assert OutboundEmail.objects.get(message=answer).status == "sent"
    assert len(mailoutbox) == 2 and mailoutbox[-1].to == [CARLA]


def test_mail_from_an_unflagged_address_writes_no_flag(mailbox: Mailbox) -> None:
    ticket = ticket_of(ingest(mailbox, mail()))
    assert flagged() is False and ticket.requester.primary_email == CARLA


# acknowledgements


def acknowledged(ticket: Ticket) -> bool:
    return OutboundEmail.objects.filter(ticket=ticket, kind="acknowledgement").exists()


def test_x_auto_response_suppress_opens_a_ticket_without_an_acknowledgement(
    mailbox: Mailbox, run_on_commit: Any, mailoutbox: list[Any]
) -> None:
    with run_on_commit():
        suppressed = ticket_of(ingest(mailbox, mail(1, headers="X-Auto-Response-Suppress: All")))
    assert not acknowledged(suppressed) and mailoutbox == []
    with run_on_commit():
        plain = ticket_of(ingest(mailbox, mail(2, headers="X-Auto-Response-Suppress: None")))
    assert acknowledged(plain) and len(mailoutbox) == 1


@pytest.mark.parametrize(("written", "expected"), [(timedelta(days=2), False), (timedelta(hours=20), True)])
def test_mail_written_more_than_a_day_ago_is_not_acknowledged(
    mailbox: Mailbox, run_on_commit: Any, mailoutbox: list[Any], written: timedelta, expected: bool
) -> None:
    with run_on_commit():
        ticket = ticket_of(ingest(mailbox, mail(written=written)))
    assert acknowledged(ticket) is expected and len(mailoutbox) == int(expected)
