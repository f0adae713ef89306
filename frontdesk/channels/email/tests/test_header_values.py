"""Values that end up in an outgoing mail's headers never carry a line break: ticket subjects are
kept to one line when written, and the sender folds whatever older rows still hold (a subject,
a brand or mailbox name, threading headers) instead of failing every attempt on it.
Red-team finding 10 (issue 8)."""

from __future__ import annotations

import pytest

from frontdesk.brands.models import Brand
from frontdesk.channels.email import sending
from frontdesk.channels.email.models import Mailbox, OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.core.actor import Actor
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import message_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db

INJECTED = "Printer\r\nBcc: victim@example.com"


def test_ticket_subjects_are_kept_to_one_line(agent, api_for) -> None:  # type: ignore[no-untyped-def]
    ticket = ticket_create(actor=Actor.of(agent), requester=customer(), subject=INJECTED, body="x")
    assert ticket.subject == "Printer Bcc: victim@example.com"
    ticket_update(actor=Actor.of(agent), ticket=ticket, subject="New\nline\x00 \u2028here")
    assert Ticket.objects.get(pk=ticket.pk).subject == "New line here"
    r = api_for(agent).post("/api/v1/tickets", {"subject": "From\r\nthe API", "body": "b",
                                                "requester_id": customer("bob@customer.test").pk})
    assert r.status_code == 201, r.content
    assert r.json()["subject"] == "From the API"


def test_a_row_with_line_breaks_in_its_headers_is_sent_once_with_folded_headers(  # type: ignore[no-untyped-def]
    agent, mailbox, smtp_sink  # noqa: F811
) -> None:
    ticket = email_ticket(mailbox, customer())
    message_add(actor=Actor.of(agent), ticket=ticket, body="Try turning it off.")
    row = OutboundEmail.objects.get(ticket=ticket, kind="reply")
    # values written before the services checked them
    OutboundEmail.objects.filter(pk=row.pk).update(subject=INJECTED, in_reply_to="a@b\r\nX-Evil: 1",
                                                   references="<a@b>\r\n <c@d>\nX-Evil: 2")
    Brand.objects.filter(pk=ticket.brand_id).update(name="Acme\r\nBcc: victim@example.com")
    assert sending.send_one(row.pk) is True
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1, row.last_error
    [sent] = smtp_sink.messages
    assert "\n" not in sent["Subject"] and "Bcc" not in sent and "X-Evil" not in sent
    assert sent["Subject"] == "Printer Bcc: victim@example.com"
    assert "Acme Bcc: victim@example.com" in sent["From"] and "support@acme.test" in sent["From"]
    assert "\n" not in sent["In-Reply-To"] and "\n" not in sent["References"]


def test_a_mailbox_name_with_line_breaks_is_folded_too(mailbox) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    Mailbox.objects.filter(pk=mailbox.pk).update(name="Help\ndesk\r\nBcc: victim@example.com")
    box = Mailbox.objects.get(pk=mailbox.pk)
    # a row of no ticket is sent under the mailbox's name
    row = OutboundEmail(mailbox=box, kind="notification", to=["a@example.com"], cc=[], subject="Hi\nthere",
                        body_text="x", body_html="", header_id="h1@acme.test")
    message = sending.build_message(row).message()
    assert message["From"] == '"Help desk Bcc: victim@example.com" <support@acme.test>'
    assert message["Subject"] == "Hi there" and message["Bcc"] is None
