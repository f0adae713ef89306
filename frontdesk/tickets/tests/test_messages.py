from __future__ import annotations

import pytest

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.core.errors import Conflict, NotFound, PermissionDenied
from frontdesk.core.events.models import OutboxEvent
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, make_ticket, team_with
from frontdesk.tickets.models import TicketAudit
from frontdesk.tickets.selectors import message_list
from frontdesk.tickets.services import message_add, parse_mentions, ticket_update

pytestmark = pytest.mark.django_db


def test_first_public_agent_reply_sets_first_response_and_can_set_status(agent) -> None:
    ticket = make_ticket()
    note = message_add(actor=Actor.of(agent), ticket=ticket, body="looking", kind="note")
    assert note.ticket.first_response_at is None
    reply = message_add(actor=Actor.of(agent), ticket=ticket, body="Fixed?", set_status="pending")
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply.created_at
    assert ticket.status == "pending" and ticket.message_count == 3
    assert reply.author_user == agent and reply.author_contact is None
    names = list(OutboxEvent.objects.order_by("pk").values_list("name", flat=True))[2:]
    assert names == ["ticket.message_added", "ticket.message_added", "ticket.updated"]
    actions = list(TicketAudit.objects.filter(ticket=ticket).order_by("pk").values_list("action", "field"))
    assert actions[-3:] == [("message_added", ""), ("message_added", ""), ("updated", "status")]


def test_customer_reply_reopens_solved_but_not_closed(customer_user, agent) -> None:
    ticket = make_ticket(requester=contact_of(customer_user))
    ticket_update(actor=SYSTEM, ticket=ticket, status="solved")
    message_add(actor=Actor.of(customer_user), ticket=ticket, body="still broken")
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.solved_at is None
    ticket_update(actor=SYSTEM, ticket=ticket, status="closed")
    with pytest.raises(Conflict, match="follow-up"):
        message_add(actor=Actor.of(customer_user), ticket=ticket, body="hello?")


def test_light_agent_writes_notes_only(light_agent) -> None:
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        message_add(actor=Actor.of(light_agent), ticket=ticket, body="hi")
    note = message_add(actor=Actor.of(light_agent), ticket=ticket, body="fyi", kind="note")
    assert note.kind == "note"


def test_customers_write_public_replies_on_their_tickets_only(customer_user) -> None:
    other = make_ticket()
    with pytest.raises(NotFound):
        message_add(actor=Actor.of(customer_user), ticket=other, body="hi")
    mine = make_ticket(requester=contact_of(customer_user))
    with pytest.raises(PermissionDenied):
        message_add(actor=Actor.of(customer_user), ticket=mine, body="x", kind="note")
    reply = message_add(actor=Actor.of(customer_user), ticket=mine, body="thanks")
    assert reply.author_contact == contact_of(customer_user)


def test_customers_never_see_notes(customer_user, agent) -> None:
    ticket = make_ticket(requester=contact_of(customer_user))
    message_add(actor=Actor.of(agent), ticket=ticket, body="secret", kind="note")
    assert [m.body for m in message_list(viewer=customer_user, ticket=ticket)] == ["It is on fire."]
    assert len(message_list(viewer=agent, ticket=ticket)) == 2


def test_mention_syntax() -> None:
    assert parse_mentions("ask @ann and @Bob.Smith@example.com, cc @ann. mail me@x.io") == [
        "ann",
        "bob.smith@example.com",
    ]


def test_mentions_resolve_to_agents_who_can_see_the_ticket(agent) -> None:
    ann = f.UserFactory(email="ann@example.com", role="agent")
    bob = f.UserFactory(email="bob@example.com", role="agent")
    f.UserFactory(email="cat@example.com", role="customer")
    team = team_with(agent, ann, restricted=True)
    ticket = make_ticket(team=team)
    note = message_add(
        actor=Actor.of(agent), ticket=ticket, kind="note", body="@ann @bob@example.com @cat @nobody"
    )
    assert list(note.mentions.all()) == [ann]  # bob cannot see the restricted ticket, cat is a customer
    event = OutboxEvent.objects.filter(name="ticket.message_added").last()
    assert event.payload["mentioned_user_ids"] == [ann.pk]
    assert bob.pk not in event.payload["mentioned_user_ids"]


def test_html_bodies_are_sanitised_before_they_are_stored(db, agent) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.core.actor import Actor
    from frontdesk.testing.factories import ContactFactory
    from frontdesk.tickets.services import message_add, ticket_create

    ticket = ticket_create(
        actor=Actor.of(agent), requester=ContactFactory(), subject="Hi", body="Hello",
        body_html='<p>Hello</p><img src=x onerror="alert(1)"><script>steal()</script>',
    )
    reply = message_add(
        actor=Actor.of(agent), ticket=ticket, body="Thanks",
        body_html='<a href="javascript:alert(1)">click</a><b>Thanks</b>',
    )
    first = ticket.messages.order_by("pk").first()
    assert "onerror" not in first.body_html and "<script" not in first.body_html and "<p>Hello</p>" in first.body_html
    assert "javascript:" not in reply.body_html and "<b>Thanks</b>" in reply.body_html
