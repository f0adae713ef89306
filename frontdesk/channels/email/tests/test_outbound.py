"""Agent replies go out as threaded, brand-templated multipart email; notes never do."""

from __future__ import annotations

import re

import pytest

from frontdesk.channels.email.models import EmailReference, OutboundEmail
from frontdesk.channels.email.outbound import subject_for
from frontdesk.channels.email.recipients import mailbox_for_ticket
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    make_mailbox,
    smtp_sink,
)
from frontdesk.channels.email.tokens import ticket_from_address
from frontdesk.core.actor import Actor
from frontdesk.customers.models import Identity
from frontdesk.testing import factories as f
from frontdesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def reply(agent, ticket, body="We are on it.", **kw):  # type: ignore[no-untyped-def]
    return message_add(actor=Actor.of(agent), ticket=ticket, body=body, **kw)


def test_agent_reply_is_sent_threaded_with_token_and_brand(agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    agent.signature = "Bob from Acme\nWe never sleep"
    agent.save()
    cc = customer("carol@customer.test", "Carol")
    alice = customer()
    ticket = email_ticket(mailbox, alice)
    ticket.ccs.add(cc)
    with run_on_commit():
        message = reply(agent, ticket, "Please unplug it.\nThen wait.")

    row = OutboundEmail.objects.get(ticket=ticket)
    assert row.kind == "reply" and row.message_id == message.pk and row.status == "sent" and row.attempts == 1
    assert EmailReference.objects.filter(ticket=ticket, header_id=row.header_id, outgoing=True).exists()
    assert re.fullmatch(r"fd\.[0-9a-f]+@acme\.test", row.header_id)

    [sent] = smtp_sink.messages
    assert sent["Message-ID"] == f"<{row.header_id}>"
    assert sent["In-Reply-To"] == "<m1@customer.test>"
    assert "<m1@customer.test>" in sent["References"]
    assert sent["Subject"] == f"Re: Printer on fire [Ticket #{ticket.pk}]"
    assert sent["To"] == "alice@customer.test" and sent["Cc"] == "carol@customer.test"
    assert "support@acme.test" in sent["From"] and "Acme Support" in sent["From"]
    assert sent["Auto-Submitted"] is None
    assert ticket_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.pk
    assert sent.get_content_type() == "multipart/alternative"
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert "Please unplug it." in text and "We never sleep" in text
    assert "Acme Support" in html and "#ab1234" in html and "We never sleep" in html
    assert "Please unplug it.<br>Then wait." in html


def test_second_reply_references_the_whole_chain(agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    with run_on_commit():
        reply(agent, ticket, "first")
    EmailReference.objects.create(header_id="m2@customer.test", ticket=ticket, outgoing=False)
    with run_on_commit():
        reply(agent, ticket, "second")
    first, second = OutboundEmail.objects.filter(ticket=ticket).order_by("pk")
    assert second.in_reply_to == "m2@customer.test"
    assert second.references == f"<m1@customer.test> <{first.header_id}> <m2@customer.test>"
    assert [m["Message-ID"] for m in smtp_sink.messages] == [f"<{first.header_id}>", f"<{second.header_id}>"]


def test_customer_and_agent_text_is_escaped_in_html(agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer(), subject="<img src=x onerror=alert(1)>")
    agent.signature = "<script>sig()</script>"
    agent.save()
    with run_on_commit():
        reply(agent, ticket, "<script>alert('x')</script> & more")
    html = OutboundEmail.objects.get(ticket=ticket).body_html
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert "&lt;script&gt;sig()&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_sanitised_html_body_is_used_as_is(agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    with run_on_commit():
        reply(agent, ticket, "bold", body_html="<p><strong>bold</strong><script>x()</script></p>")
    html = OutboundEmail.objects.get(ticket=ticket).body_html
    assert "<strong>bold</strong>" in html and "x()" not in html


def test_notes_are_never_emailed(agent, light_agent, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    with run_on_commit():
        reply(agent, ticket, "internal", kind="note")
        reply(light_agent, ticket, "light note", kind="note")
    assert not OutboundEmail.objects.filter(ticket=ticket, kind="reply").exists()
    assert smtp_sink.messages == []


def test_customer_messages_are_not_mailed_back(mailbox, smtp_sink):  # noqa: F811
    alice = customer()
    ticket = email_ticket(mailbox, alice)
    message_add(actor=Actor.system("email"), ticket=ticket, body="more", author_contact=alice)
    assert not OutboundEmail.objects.filter(kind="reply").exists()


def test_system_public_message_is_mailed(mailbox, smtp_sink):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    message_add(actor=Actor.system("automation"), ticket=ticket, body="We closed this for you.")
    assert OutboundEmail.objects.filter(ticket=ticket, kind="reply").count() == 1


def test_no_mailbox_or_undeliverable_requester_sends_nothing(agent, brand):  # noqa: F811
    from frontdesk.tickets.services import ticket_create

    alice = customer()
    ticket = ticket_create(actor=Actor.of(agent), requester=alice, subject="s", body="b", brand=brand)
    reply(agent, ticket)  # no mailbox for the brand: nothing fails
    assert not OutboundEmail.objects.exists()

    box = make_mailbox(brand, None)
    Identity.objects.filter(value="alice@customer.test").update(undeliverable=True)
    reply(agent, ticket)
    not_sent = OutboundEmail.objects.get()  # shown on the ticket as not emailed, never sent
    assert (not_sent.status, not_sent.attempts) == ("dead", 0)
    Identity.objects.filter(value="alice@customer.test").update(undeliverable=False)
    reply(agent, ticket)
    assert OutboundEmail.objects.exclude(pk=not_sent.pk).get().mailbox == box


def test_mailbox_is_the_one_mail_arrived_at(brand, smtp_sink):  # noqa: F811
    first = make_mailbox(brand, smtp_sink, address="sales@acme.test", name="A")
    other = make_mailbox(brand, smtp_sink, address="help@acme.test", name="B")
    ticket = email_ticket(other, customer())
    assert mailbox_for_ticket(ticket) == other
    plain = email_ticket(first, customer("bob@customer.test"), header_id="b@customer.test")
    plain_inbound = plain.pk
    from frontdesk.channels.email.models import InboundEmail

    InboundEmail.objects.filter(ticket_id=plain_inbound).delete()
    assert mailbox_for_ticket(plain) == first  # the brand's first active mailbox
    first.active = other.active = False
    first.save()
    other.save()
    assert mailbox_for_ticket(plain) is None


def test_agent_created_ticket_mails_the_opening_message(agent, mailbox, smtp_sink):  # noqa: F811
    from frontdesk.tickets.services import ticket_create

    ticket = ticket_create(
        actor=Actor.of(agent), requester=customer(), subject="Your order", body="It shipped.",
        channel="email", brand=mailbox.brand, author_user=agent,
    )
    row = OutboundEmail.objects.get(ticket=ticket)
    assert row.kind == "reply" and "It shipped." in row.body_text


def test_subject_strips_repeated_re(brand):  # noqa: F811
    class T:
        pk = 7
        subject = "Re: RE:  hello\n world"

    assert subject_for(T()) == "Re: hello world [Ticket #7]"  # type: ignore[arg-type]


def test_other_agents_ticket_reply_uses_unique_message_ids(agent, mailbox):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    for _ in range(3):
        reply(agent, ticket)
    assert len(set(OutboundEmail.objects.values_list("header_id", flat=True))) == 3
    assert f.UserFactory  # factories importable for the API tests
