"""ticket_open: a ticket an agent opens for a customer, as an outbound email or as a logged call;
requester_find_or_create: a requester by email and/or phone, never a duplicate; and what
ticket_create gained for them (an agent's opening message, public or a note)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from frontdesk.core.actor import Actor
from frontdesk.core.errors import PermissionDenied, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.customers.models import Contact, Identity
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Message, Ticket
from frontdesk.tickets.services import ticket_create
from frontdesk.tickets.services.opening import requester_find_or_create, ticket_open

pytestmark = pytest.mark.django_db


def open_(agent, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("subject", "Your order")
    kw.setdefault("body", "It shipped today.")
    return ticket_open(actor=Actor.of(agent), **kw)


def test_on_behalf_the_opening_message_is_the_customers(agent) -> None:  # type: ignore[no-untyped-def]
    alice = f.ContactFactory()
    ticket = open_(agent, opening="on_behalf", requester=alice, status="open", priority="high", tags=["Vip"])
    message = Message.objects.get(ticket=ticket)
    assert (message.author_contact, message.author_user, message.kind) == (alice, None, "public")
    assert ticket.channel == message.channel == "web"
    assert (ticket.status, ticket.priority, [t.name for t in ticket.tags.all()]) == ("open", 3, ["vip"])
    assert ticket.first_response_at is None, "nobody has answered the customer yet"


def test_outbound_email_the_opening_message_is_the_agents_public_first_response(agent) -> None:  # type: ignore[no-untyped-def]
    alice = f.ContactFactory()
    ticket = open_(agent, opening="outbound_email", requester=alice.pk)
    message = Message.objects.get(ticket=ticket)
    assert (message.author_user, message.author_contact, message.kind, message.channel) == (agent, None, "public",
                                                                                          "email")
    ticket.refresh_from_db()
    assert ticket.first_response_at == message.created_at
    event = OutboxEvent.objects.get(name="ticket.message_added")
    assert event.payload["author_user_id"] == agent.pk and event.payload["opening"] is True


def test_outbound_email_needs_an_address(agent) -> None:  # type: ignore[no-untyped-def]
    phone_only = f.ContactFactory(primary_email="")
    with pytest.raises(ValidationError) as exc:
        open_(agent, opening="outbound_email", requester=phone_only)
    assert "requester" in exc.value.fields and not Ticket.objects.exists()


def test_a_phone_call_is_an_internal_note_by_the_agent_with_direction_and_duration(agent) -> None:  # type: ignore[no-untyped-def]
    ticket = open_(agent, opening="phone_call", requester=f.ContactFactory(), body="Wants a refund.",
                   call_direction="outbound", call_minutes=12)
    message = Message.objects.get(ticket=ticket)
    assert (message.kind, message.author_user, message.author_contact) == ("note", agent, None)
    assert ticket.channel == message.channel == "phone"
    assert message.body == "Outgoing call, 12 min.\n\nWants a refund."
    ticket.refresh_from_db()
    assert ticket.first_response_at is None, "a note is not an answer to the customer"


@pytest.mark.parametrize(("kw", "field"), [
    ({"call_minutes": -1}, "call_minutes"),
    ({"call_minutes": 100_000}, "call_minutes"),
    ({"call_direction": "sideways"}, "call_direction"),
    ({"body": "  "}, "body"),
])
def test_a_phone_call_refuses_bad_details(agent, kw, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        open_(agent, opening="phone_call", requester=f.ContactFactory(), **kw)
    assert field in exc.value.fields


def test_light_agents_and_unknown_kinds_are_refused(agent, light_agent) -> None:  # type: ignore[no-untyped-def]
    for opening in ("on_behalf", "outbound_email", "phone_call"):
        with pytest.raises(PermissionDenied):
            open_(light_agent, opening=opening, new_requester={"email": "new@customer.test"})
    assert not Contact.objects.filter(primary_email="new@customer.test").exists(), "no customer made either"
    with pytest.raises(ValidationError) as exc:
        open_(agent, opening="fax", requester=f.ContactFactory())
    assert "opening" in exc.value.fields


def test_a_new_customer_is_created_with_the_ticket_or_not_at_all(agent) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        open_(agent, opening="on_behalf", subject="", new_requester={"name": "Bo", "email": "bo@customer.test"})
    assert "subject" in exc.value.fields
    assert not Identity.objects.filter(value="bo@customer.test").exists(), "a refused ticket leaves no customer"

    ticket = open_(agent, opening="on_behalf",
                   new_requester={"name": "Bo", "email": "Bo@Customer.test", "phone": "+44 20 7946 0000"})
    bo = ticket.requester
    assert (bo.name, bo.primary_email) == ("Bo", "bo@customer.test")
    assert sorted(bo.identities.values_list("kind", "value")) == [("email", "bo@customer.test"),
                                                                    ("phone", "+442079460000")]


def test_find_or_create_never_duplicates_a_known_identity(agent) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.of(agent)
    alice = f.ContactFactory(primary_email="alice@customer.test", name="Alice")
    same = requester_find_or_create(actor=actor, name="Someone else", email=" ALICE@customer.test ")
    assert same.pk == alice.pk and Contact.objects.count() == 1
    assert same.name == "Alice", "a known customer is not renamed"
    # a new phone with a known email: added to that customer
    again = requester_find_or_create(actor=actor, email="alice@customer.test", phone="0044 1632 960000")
    assert again.pk == alice.pk
    assert Identity.objects.get(kind="phone").contact_id == alice.pk
    # a known phone alone finds her too
    assert requester_find_or_create(actor=actor, phone="+44 1632 960000").pk == alice.pk
    assert Contact.objects.count() == 1


def test_find_or_create_refuses_two_customers_and_bad_input(agent) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.of(agent)
    f.ContactFactory(primary_email="alice@customer.test")
    carl = f.ContactFactory(primary_email="carl@customer.test", name="Carl")
    Identity.objects.create(contact=carl, kind="phone", value="+15550001111")
    with pytest.raises(ValidationError) as exc:
        requester_find_or_create(actor=actor, email="alice@customer.test", phone="+1 555 000 1111")
    assert "Carl" in exc.value.fields["requester_phone"]
    with pytest.raises(ValidationError) as exc:
        requester_find_or_create(actor=actor, email="not-an-address", phone="12")
    assert set(exc.value.fields) == {"requester_email", "requester_phone"}, "both problems at once"
    with pytest.raises(ValidationError) as exc:
        requester_find_or_create(actor=actor, name="Nobody")
    assert "requester_email" in exc.value.fields
    assert Contact.objects.count() == 2


def test_ticket_create_opening_note_needs_an_agent_author(agent) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        ticket_create(actor=Actor.of(agent), requester=f.ContactFactory(), subject="s", body="b",
                      opening_kind="note")
    assert "opening_kind" in exc.value.fields
    with pytest.raises(ValidationError):
        ticket_create(actor=Actor.of(agent), requester=f.ContactFactory(), subject="s", body="b",
                      opening_kind="whisper", author_user=agent)


@pytest.mark.django_db(transaction=True)
def test_two_agents_creating_the_same_new_customer_at_once_get_one_contact(agent) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    other = f.UserFactory(role="agent")
    barrier = threading.Barrier(2)
    found: list[int] = []
    errors: list[BaseException] = []

    def run(user) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            found.append(requester_find_or_create(actor=Actor.of(user), name="Race",
                                                  email="race@customer.test", phone="+15557770000").pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(u,)) for u in (agent, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert len(set(found)) == 1 and Contact.objects.filter(primary_email="race@customer.test").count() == 1
