"""Agents are mailed what they asked for on their profile: tickets assigned to them, mentions,
and new public messages on tickets they follow or own; never their own doing, and never in a way
that lets an answer post as the customer."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.accounts.models import User
from frontdesk.channels.email.inbound import process_inbound, receive_raw
from frontdesk.channels.email.models import EmailReference, OutboundEmail
from frontdesk.channels.email.tests.test_outbound_helpers import (  # noqa: F401 - fixtures
    brand,
    customer,
    email_ticket,
    mailbox,
    smtp_sink,
)
from frontdesk.channels.email.tokens import reply_token
from frontdesk.core.actor import Actor
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import message_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db

ALL = {"assigned": True, "mentioned": True, "followed": True}


def person(email: str, name: str, role: str = "agent", **chosen: bool) -> User:
    return f.UserFactory.create(email=email, name=name, role=role, notification_settings={**ALL, **chosen})


@pytest.fixture
def ann(db: Any) -> User:
    return person("ann@acme.test", "Ann Actor")


@pytest.fixture
def bob(db: Any) -> User:
    return person("bob@acme.test", "Bob Builder")


def mails(sink: Any) -> dict[str, Any]:
    """What the sink received, by recipient (each notification has exactly one)."""
    found: dict[str, Any] = {}
    for sent in sink.messages:
        [to] = [a.addr_spec for a in sent["To"].addresses]
        assert to not in found, f"two mails to {to}"
        found[to] = sent
    return found


def text_of(sent: Any) -> str:
    return str(sent.get_body(("plain",)).get_content())


def html_of(sent: Any) -> str:
    return str(sent.get_body(("html",)).get_content())


def test_assigned_mails_the_new_assignee_with_safe_headers(ann, bob, mailbox, smtp_sink, run_on_commit, settings):  # noqa: F811
    settings.PUBLIC_URL = "https://help.acme.test/"
    ticket = email_ticket(mailbox, customer())
    with run_on_commit():
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob)

    [sent] = smtp_sink.messages
    row = OutboundEmail.objects.get(ticket=ticket, kind="notification")
    assert row.to == ["bob@acme.test"] and row.status == "sent" and row.message_id is None
    assert sent["To"] == "bob@acme.test"
    assert "support@acme.test" in sent["From"] and "Acme Support" in sent["From"]
    assert sent["Subject"] == f"[Ticket #{ticket.pk}] Assigned to you: Printer on fire"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["X-Auto-Response-Suppress"] == "All"
    # no reply token anywhere: an answer by mail cannot post as the customer
    assert sent["Reply-To"] is None
    assert reply_token(ticket.pk) not in sent.as_string()
    # a thread of its own, none of the customer's Message-IDs, and not registered as the ticket's
    assert sent["Message-ID"] == f"<{row.header_id}>"
    assert sent["In-Reply-To"] == f"<fd.notifications.t{ticket.pk}@acme.test>"
    assert sent["References"] == f"<fd.notifications.t{ticket.pk}@acme.test>"
    assert "m1@customer.test" not in sent.as_string()
    assert not EmailReference.objects.filter(header_id=row.header_id).exists()

    text, html = text_of(sent), html_of(sent)
    assert f"Ann Actor assigned ticket #{ticket.pk} to you." in text
    assert f"https://help.acme.test/tickets/{ticket.pk}/" in text
    assert f'href="https://help.acme.test/tickets/{ticket.pk}/"' in html
    assert "the ticket was assigned to you" in text
    assert "#ab1234" in html and "Printer on fire" in html


def test_no_mail_for_your_own_assignment_an_opt_out_or_an_unassignment(ann, bob, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    ticket = email_ticket(mailbox, customer())
    quiet = person("quiet@acme.test", "Quiet", assigned=False)
    with run_on_commit():
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=ann)
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=quiet)
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=None)
        ticket_update(actor=Actor.of(ann), ticket=ticket, priority="high")
    assert smtp_sink.messages == []
    with run_on_commit():  # the same change by the system (routing, say) reaches the assignee
        ticket_update(actor=Actor.system("routing"), ticket=ticket, assignee=bob)
    [sent] = smtp_sink.messages
    assert sent["To"] == "bob@acme.test"
    assert f"Ticket #{ticket.pk} was assigned to you." in text_of(sent)


def test_mentioned_in_a_note_gets_the_excerpt(ann, bob, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    carol = person("carol@acme.test", "Carol", mentioned=False)
    ticket = email_ticket(mailbox, customer())
    with run_on_commit():
        note = message_add(
            actor=Actor.of(ann), ticket=ticket, kind="note",
            body="@bob can you check the <fuser>? @carol FYI. @ann note to self",
        )
    assert set(note.mentions.all()) == {ann, bob, carol}
    found = mails(smtp_sink)
    assert list(found) == ["bob@acme.test"]  # Carol opted out, Ann wrote it
    sent = found["bob@acme.test"]
    assert sent["Subject"] == f"[Ticket #{ticket.pk}] Ann Actor mentioned you: Printer on fire"
    assert f"Ann Actor mentioned you in an internal note on ticket #{ticket.pk}." in text_of(sent)
    assert "@bob can you check the <fuser>?" in text_of(sent)
    assert "can you check the &lt;fuser&gt;?" in html_of(sent) and "<fuser>" not in html_of(sent)
    assert "Internal note" in html_of(sent)
    assert list(sent.iter_attachments()) == []
    assert OutboundEmail.objects.get(kind="notification").message.body.startswith("@bob")


def test_customer_message_reaches_followers_and_assignee_only_when_they_may_have_it(
    ann, bob, mailbox, smtp_sink, run_on_commit  # noqa: F811
):
    alice = customer()
    ticket = email_ticket(mailbox, alice)
    fran = person("fran@acme.test", "Fran Follower")
    no_follow = person("nofollow@acme.test", "Nope", followed=False)
    gone = person("gone@acme.test", "Gone")
    no_email = person("noemail@acme.test", "No Email")
    shopper = person("shopper@customer.test", "Shopper", role="customer")
    ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob, followers=[fran, no_follow, gone, no_email])
    ticket.followers.add(shopper)  # not possible through the service: customers are never told
    User.objects.filter(pk=gone.pk).update(is_active=False)
    User.objects.filter(pk=no_email.pk).update(email="")
    smtp_sink.envelopes.clear()

    with run_on_commit():
        message_add(actor=Actor.system("email"), ticket=ticket, body="Still burning!", author_contact=alice)
    found = mails(smtp_sink)
    assert sorted(found) == ["bob@acme.test", "fran@acme.test"]
    sent = found["fran@acme.test"]
    assert sent["Subject"] == f"[Ticket #{ticket.pk}] New message from Alice: Printer on fire"
    assert "Still burning!" in text_of(sent) and "Alice wrote on ticket" in text_of(sent)
    assert "you follow this ticket or it is assigned to you" in text_of(sent)
    assert not EmailReference.objects.filter(header_id__in=OutboundEmail.objects.filter(
        kind="notification").values("header_id")).exists()


def test_agent_reply_tells_the_others_but_not_the_author_and_notes_tell_nobody(
    ann, bob, mailbox, smtp_sink, run_on_commit  # noqa: F811
):
    fran = person("fran@acme.test", "Fran Follower")
    ticket = email_ticket(mailbox, customer())
    ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob, followers=[ann, fran, bob])
    smtp_sink.envelopes.clear()

    with run_on_commit():
        message_add(actor=Actor.of(ann), ticket=ticket, body="We sent a technician.")
    found = mails(smtp_sink)
    # the customer's copy of the reply, and one notification each for Bob and Fran, none for Ann
    assert sorted(found) == ["alice@customer.test", "bob@acme.test", "fran@acme.test"]
    assert found["bob@acme.test"]["Subject"] == f"[Ticket #{ticket.pk}] New message from Ann Actor: Printer on fire"
    assert found["alice@customer.test"]["Reply-To"] is not None  # the customer's copy keeps its token

    smtp_sink.envelopes.clear()
    with run_on_commit():
        message_add(actor=Actor.of(bob), ticket=ticket, kind="note", body="Technician booked.")
    assert smtp_sink.messages == []


def test_several_reasons_make_one_mail(ann, bob, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    with run_on_commit():
        ticket = ticket_create(
            actor=Actor.of(ann), requester=customer(), subject="Refund", body="Customer called about a refund.",
            brand=mailbox.brand, assignee=bob, followers=[bob, ann],
        )
    found = mails(smtp_sink)
    assert "ann@acme.test" not in found
    sent = found["bob@acme.test"]
    assert sent["Subject"] == f"[Ticket #{ticket.pk}] Assigned to you: Refund"
    text = text_of(sent)
    assert "Customer called about a refund." in text
    assert "- the ticket was assigned to you\n" in text.replace("\r\n", "\n")
    assert "- you follow this ticket or it is assigned to you" in text
    assert OutboundEmail.objects.filter(kind="notification").count() == 1

    # a ticket created from email for someone already set as assignee: still one mail
    smtp_sink.envelopes.clear()
    with run_on_commit():
        other = ticket_create(
            actor=Actor.system("email"), requester=customer("dan@customer.test", "Dan"), subject="Hi",
            body="Hello there", channel="email", brand=mailbox.brand, assignee=bob,
        )
    notes = [m for m in smtp_sink.messages if m["To"] == "bob@acme.test"]
    assert len(notes) == 1 and notes[0]["Subject"] == f"[Ticket #{other.pk}] Assigned to you: Hi"
    assert "Hello there" in text_of(notes[0])


def test_restricted_team_ticket_is_not_told_to_those_who_cannot_see_it(ann, bob, mailbox, smtp_sink, run_on_commit):  # noqa: F811
    team = f.TeamFactory(restricted=True)
    team.members.add(ann)
    ticket = email_ticket(mailbox, customer())
    ticket_update(actor=Actor.of(ann), ticket=ticket, followers=[bob])
    ticket_update(actor=Actor.of(ann), ticket=ticket, team=team)
    smtp_sink.envelopes.clear()
    with run_on_commit():
        message_add(actor=Actor.system("email"), ticket=ticket, body="more", author_contact=ticket.requester)
    assert smtp_sink.messages == []


def test_a_ticket_without_mailbox_sends_nothing(ann, bob, brand, smtp_sink, run_on_commit):  # noqa: F811
    with run_on_commit():
        ticket = ticket_create(
            actor=Actor.of(ann), requester=customer(), subject="Phone call", body="Notes of the call.",
            brand=brand, assignee=bob, followers=[bob],
        )
        message_add(actor=Actor.of(ann), ticket=ticket, kind="note", body="@bob over to you")
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=ann)
        ticket_update(actor=Actor.of(ann), ticket=ticket, assignee=bob)
    assert not OutboundEmail.objects.exists()
    assert smtp_sink.messages == []


def test_an_agent_answering_a_notification_by_mail_never_writes_as_the_customer(
    ann, bob, mailbox, smtp_sink, run_on_commit  # noqa: F811
):
    alice = customer()
    ticket = email_ticket(mailbox, alice)
    ticket_update(actor=Actor.of(ann), ticket=ticket, followers=[bob])
    with run_on_commit():
        message_add(actor=Actor.system("email"), ticket=ticket, body="Hello?", author_contact=alice)
    [notification] = smtp_sink.messages
    before = list(ticket.messages.values_list("pk", flat=True))

    answer = (  # as a mail client answers: to the Reply-To when there is one, else to the From
        "From: Bob Builder <bob@acme.test>\r\n"
        f"To: {notification['Reply-To'] or notification['From']}\r\n"
        f"Subject: Re: {notification['Subject']}\r\n"
        "Message-ID: <answer-1@acme.test>\r\n"
        f"In-Reply-To: {notification['Message-ID']}\r\n"
        f"References: {notification['References']} {notification['Message-ID']}\r\n"
        "Date: Mon, 23 Nov 2026 10:30:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Refund approved, please tell her.\r\n"
    ).encode()
    row = process_inbound(receive_raw(mailbox=mailbox, raw=answer, source="cli").pk)
    assert row.status == "processed", row.reason  # taken as new mail from Bob, on a ticket of his own

    ticket.refresh_from_db()
    assert list(ticket.messages.values_list("pk", flat=True)) == before  # nothing landed on the ticket
    assert not ticket.messages.filter(body__contains="Refund approved").exists()
    assert row.ticket_id != ticket.pk
    assert not Ticket.objects.filter(pk=row.ticket_id, requester=alice).exists()
