"""Channels plug in through frontdesk.core.channels: a channel registered from outside the core
is stored, filtered, shown and answered through with no other edit, and every registered
channel's part of the ticket page stays within its query budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frontdesk.api import api
from frontdesk.channels.email.models import OutboundEmail
from frontdesk.channels.email.tests.test_pipeline_common import eml, ingest, make_mailbox, sent_from, ticket_of
from frontdesk.core import channels
from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.customers.identity_kinds import identity_kind_choices
from frontdesk.customers.services import identity_add
from frontdesk.testing import factories as f
from frontdesk.tickets import channel_page, selectors
from frontdesk.tickets.channel_page import PageParts, Part, ReplyRoute
from frontdesk.tickets.filters import TicketFilters
from frontdesk.tickets.models import Message, Ticket
from frontdesk.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


class PigeonPage:
    """A channel's ticket-page part: a note on each message, and replies that fly by pigeon."""

    queries = 0

    def annotate(self, messages: QuerySet[Message]) -> QuerySet[Message]:
        return messages

    def parts(self, ticket: Ticket, messages: list[Message]) -> PageParts:
        found = PageParts()
        if ticket.channel != "pigeon":
            return found
        found.alerts.append(Part("channel_email/ticket/_notes.html", {"notes": ["The loft is open."]}))
        for m in messages:
            found.after_body[m.pk] = [Part("channel_email/ticket/_notes.html", {"notes": [f"Flown as {m.pk}"]})]
        return found

    def reply_route(self, ticket: Ticket) -> ReplyRoute | None:
        return ReplyRoute(channel="pigeon", to=["loft 7"], recipients=True) if ticket.channel == "pigeon" else None

    def new_ticket_sender(self, brand_id: int) -> str | None:
        return None


PIGEON = PigeonPage()


@pytest.fixture
def pigeon() -> Iterator[channels.ChannelSpec]:
    spec = channels.register(channels.ChannelSpec(
        "pigeon", "Carrier pigeon", icon="bell", order=15, identity_kinds=(("loft", "Pigeon loft"),),
        ticket_page=lambda: PIGEON,
    ))
    yield spec
    channels.unregister("pigeon")


def test_the_email_app_registers_itself_with_its_identities_and_api() -> None:
    email = channels.get("email")
    assert email is not None and not email.builtin
    assert str(email.label) == "Email" and email.icon == "mail"
    assert channels.values()[0] == "email", "first in pickers (order 10)"
    assert ("email", "Email address") in [(k, str(v)) for k, v in email.identity_kinds]
    paths = api.get_openapi_schema()["paths"]
    assert "/api/v1/mail/quarantine" in paths and "/api/v1/mailboxes" in paths, "its routers are mounted"


def test_names_are_checked_and_one_name_is_one_channel(pigeon: channels.ChannelSpec) -> None:
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        channels.register(channels.ChannelSpec("pigeon", "Another pigeon"))
    with pytest.raises(ImproperlyConfigured, match="lower-case"):
        channels.register(channels.ChannelSpec("Pigeon Post", "x"))
    with pytest.raises(ImproperlyConfigured, match="lower-case"):
        channels.register(channels.ChannelSpec("p" * 21, "x"))
    builtin = channels.get("sms")
    assert builtin is not None and builtin.builtin
    try:  # the app that lands for a built-in name takes its entry over
        taken = channels.register(channels.ChannelSpec("sms", "SMS", order=50))
        assert channels.get("sms") is taken
    finally:
        channels.unregister("sms")
        channels.register(builtin)


def test_a_registered_channel_is_stored_filtered_and_known_by_its_identities(
    agent: Any, pigeon: channels.ChannelSpec
) -> None:
    assert ("pigeon", "Carrier pigeon") in channels.choices()
    assert ("pigeon", "Carrier pigeon") in list(Ticket._meta.get_field("channel").choices), "no migration needed"
    contact = f.ContactFactory()
    ticket = ticket_create(actor=SYSTEM, requester=contact, subject="By air", body="Coo", channel="pigeon")
    ticket_create(actor=SYSTEM, requester=contact, subject="By mail", body="Hello", channel="email")
    assert ticket.channel == "pigeon" and ticket.get_channel_display() == "Carrier pigeon"

    found = selectors.ticket_list(viewer=agent, filters=TicketFilters.from_query({"channel": ["pigeon"]}))
    assert [t.pk for t in found] == [ticket.pk]
    assert ("loft", "Pigeon loft") in identity_kind_choices()
    identity = identity_add(actor=Actor.of(agent), contact=contact, kind="loft", value="  Loft 7 ")
    assert (identity.kind, identity.value) == ("loft", "Loft 7")

    client = Client()
    client.force_login(agent)
    listed = client.get("/tickets/", {"channel": "pigeon"})
    assert listed.status_code == 200 and f"/tickets/{ticket.pk}/" in listed.content.decode()
    assert 'class="icon icon-bell"' in listed.content.decode(), "the list shows the channel's own icon"


def test_the_ticket_page_shows_a_channels_parts_and_replies_through_it(
    agent: Any, pigeon: channels.ChannelSpec
) -> None:
    contact = f.ContactFactory(primary_email="flyer@customer.test")
    ticket = ticket_create(actor=SYSTEM, requester=contact, subject="By air", body="Coo", channel="pigeon")
    other = ticket_create(actor=SYSTEM, requester=contact, subject="By form", body="Hi", channel="web")
    client = Client()
    client.force_login(agent)

    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "The loft is open." in html
    assert f"Flown as {ticket.opening_message.pk}" in html
    assert 'value="loft 7"' in html, "the composer's To comes from the channel the reply leaves through"
    assert "The loft is open." not in client.get(f"/tickets/{other.pk}/").content.decode()
    assert channel_page.reply_route(other) is None, "no mailbox, no pigeon: nothing carries a reply"


def test_every_channels_part_of_the_page_stays_within_its_query_budget(agent: Any) -> None:
    mailbox = make_mailbox()
    ticket = ticket_of(ingest(mailbox, eml("new_ticket.eml")))
    for n in range(3):
        message_add(actor=Actor.of(agent), ticket=ticket, body=f"Answer {n}")
        ingest(mailbox, eml("gmail_reply.eml", ticket=ticket.pk, ours=sent_from(ticket)))
    assert OutboundEmail.objects.filter(ticket=ticket).count() >= 3
    pages = channel_page.channel_pages()
    assert pages, "the email channel at least"
    for page in pages:
        with CaptureQueriesContext(connection) as annotating:
            messages = page.annotate(selectors.message_list(viewer=agent, ticket=ticket))
        assert len(annotating) == 0, f"{type(page).__name__}.annotate adds to the query, it runs none"
        rows = list(messages)
        with CaptureQueriesContext(connection) as parts:
            found = page.parts(ticket, rows)
        assert len(parts) <= page.queries, f"{type(page).__name__}: {len(parts)} queries, budget {page.queries}"
        assert found.after_body or found.header, "a ticket with email in and out has something to show"
