"""A reply's To/CC/BCC as the agent chose them: validated by message_add, written on the outgoing
row, delivered through a real SMTP server with BCC on the envelope only, and the signature the
agent kept for that message."""

from __future__ import annotations

import pytest

from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.recipients import default_recipients
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.customers.models import Identity
from frontdesk.tickets.models import Message
from frontdesk.tickets.services import message_add
from frontdesk.tickets.services.messages import Recipients

pytestmark = pytest.mark.django_db


def reply(agent, ticket, body="We are on it.", **kw):  # type: ignore[no-untyped-def]
    return message_add(actor=Actor.of(agent), ticket=ticket, body=body, **kw)


def test_the_chosen_recipients_are_delivered_and_bcc_stays_off_the_headers(
    agent, mailbox, smtp_sink, run_on_commit  # noqa: F811
):  # type: ignore[no-untyped-def]
    ticket = email_ticket(mailbox, customer())
    ticket.ccs.add(customer("carol@customer.test", "Carol"))
    chosen = Recipients(to=["ALICE@customer.test"], cc=["dave@customer.test", "alice@customer.test"],
                        bcc=["audit@acme.test"])
    with run_on_commit():
        reply(agent, ticket, "Done.", recipients=chosen)

    row = OutboundEmail.objects.get(ticket=ticket)
    assert (row.to, row.cc, row.bcc) == (["alice@customer.test"], ["dave@customer.test"], ["audit@acme.test"])
    assert row.status == "sent"
    [envelope] = smtp_sink.envelopes
    assert sorted(envelope.rcpt_tos) == ["alice@customer.test", "audit@acme.test", "dave@customer.test"]
    [sent] = smtp_sink.messages
    assert sent["To"] == "alice@customer.test" and sent["Cc"] == "dave@customer.test"
    assert sent["Bcc"] is None and b"audit@acme.test" not in envelope.original_content
    assert "carol" not in str(sent["Cc"]), "the agent took Carol off this reply"


def test_without_a_choice_the_requester_and_the_ccs_receive_it(agent, mailbox, smtp_sink):  # type: ignore[no-untyped-def]  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    ticket.ccs.add(customer("carol@customer.test", "Carol"))
    assert default_recipients(ticket) == Recipients(to=["alice@customer.test"], cc=["carol@customer.test"])
    reply(agent, ticket)
    row = OutboundEmail.objects.get(ticket=ticket)
    assert (row.to, row.cc, row.bcc) == (["alice@customer.test"], ["carol@customer.test"], [])


def test_undeliverable_addresses_are_left_out_and_no_to_means_not_sent(agent, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    customer("bounced@customer.test", "Bounced")
    Identity.objects.filter(value="bounced@customer.test").update(undeliverable=True)
    reply(agent, ticket, "One", recipients=Recipients(to=["alice@customer.test"], bcc=["bounced@customer.test"]))
    assert OutboundEmail.objects.get(message__body="One").bcc == []

    reply(agent, ticket, "Two", recipients=Recipients(to=["bounced@customer.test"]))
    row = OutboundEmail.objects.get(message__body="Two")
    assert (row.status, row.attempts, row.to) == ("dead", 0, ["bounced@customer.test"])


@pytest.mark.parametrize(
    ("recipients", "field", "problem"),
    [
        (Recipients(to=[]), "to", "at least one address"),
        (Recipients(to=["alice@customer.test"], cc=["not-an-address"]), "cc", "not an email address: not-an-address"),
        (Recipients(to=[f"p{i}@customer.test" for i in range(51)]), "to", "at most 50 addresses"),
    ],
)
def test_bad_recipients_are_refused_with_the_field(agent, mailbox, recipients, field, problem):  # type: ignore[no-untyped-def]  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    with pytest.raises(ValidationError) as refused:
        reply(agent, ticket, recipients=recipients)
    assert problem in refused.value.fields[field]
    assert not Message.objects.filter(author_user=agent).exists()


def test_notes_have_no_recipients(agent, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    with pytest.raises(ValidationError):
        reply(agent, ticket, kind="note", recipients=Recipients(to=["alice@customer.test"]))


def test_the_signature_kept_for_one_message_replaces_the_profile_one(agent, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    agent.signature = "Bob\nAcme support"
    agent.save()
    ticket = email_ticket(mailbox, customer())
    reply(agent, ticket, "First", signature="Bob, on call tonight")
    reply(agent, ticket, "Second")
    first, second = (OutboundEmail.objects.get(message__body=b) for b in ("First", "Second"))
    assert "Bob, on call tonight" in first.body_text and "Acme support" not in first.body_text
    assert "Bob, on call tonight" in first.body_html
    assert "Acme support" in second.body_text
    with pytest.raises(ValidationError):
        reply(agent, ticket, "Third", signature="x" * 2001)


def test_has_mailbox_agrees_with_mailbox_for_ticket(agent, brand, mailbox):  # type: ignore[no-untyped-def]  # noqa: F811
    from frontdesk.brands.models import Brand
    from frontdesk.channels.email.recipients import has_mailbox, mailbox_for_ticket
    from frontdesk.tickets.services import ticket_create

    by_mail = email_ticket(mailbox, customer())
    other_brand = Brand.objects.create(name="Other", slug="other")
    web = ticket_create(actor=Actor.of(agent), requester=customer("w@customer.test", "W"), subject="s",
                        body="b", brand=other_brand)
    for ticket in (by_mail, web):
        assert has_mailbox(ticket) == (mailbox_for_ticket(ticket) is not None)
    assert has_mailbox(by_mail) and not has_mailbox(web)
