"""The contact 360 view: content, permissions, and a query count that does not grow."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from frontdesk.core.actor import Actor
from frontdesk.core.errors import NotFound
from frontdesk.customers.services import contact_create, contact_note_add, purchase_record
from frontdesk.testing import factories as f
from frontdesk.tickets.contact360 import contact_360
from frontdesk.tickets.services import message_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def _history(agent, contact, *, tickets: int, replies: int, purchases: int) -> None:
    act = Actor.of(agent)
    for i in range(tickets):
        t = ticket_create(actor=act, requester=contact, subject=f"Case {i}", body=f"question {i}",
                          channel="email" if i % 2 else "chat")
        for j in range(replies):
            message_add(actor=act, ticket=t, body=f"answer {i}.{j}")
        if i % 3 == 0:
            ticket_update(actor=act, ticket=t, status="solved")
    for k in range(purchases):
        purchase_record(actor=act, contact=contact, product=f"Widget {k}", amount="10.00",
                        currency="EUR", purchased_at=timezone.now() - timedelta(days=k))


@pytest.mark.parametrize("size", [1, 3])
def test_query_count_does_not_depend_on_history(agent, django_assert_max_num_queries, size):
    contact = contact_create(actor=Actor.of(agent), name="Big Customer", email="big@example.test")
    _history(agent, contact, tickets=8 * size, replies=2 * size, purchases=10 * size)
    with django_assert_max_num_queries(10):
        view = contact_360(viewer=agent, contact_id=contact.pk)
    assert len(view.open_tickets) <= 20 and len(view.recent_tickets) <= 20
    assert len(view.timeline) <= 50


def test_content(agent, customer_user):
    act = Actor.of(agent)
    contact = customer_user.contact
    open_t = ticket_create(actor=act, requester=contact, subject="Open one", body="help",
                           channel="email")
    solved = ticket_create(actor=act, requester=contact, subject="Solved one", body="hi",
                           channel="chat")
    message_add(actor=act, ticket=solved, body="Here you go")
    message_add(actor=act, ticket=solved, kind="note", body="internal remark")
    ticket_update(actor=act, ticket=solved, status="solved")
    purchase_record(actor=act, contact=contact, product="Gadget", amount="19.90", currency="EUR",
                    purchased_at=timezone.now() - timedelta(days=400))
    purchase_record(actor=act, contact=contact, product="Gizmo", amount="5.10", currency="EUR",
                    purchased_at=timezone.now() - timedelta(days=300))
    contact_note_add(actor=act, contact=contact, body="prefers phone calls")
    other = contact_create(actor=act, name="Other", email="other@example.test")
    ticket_create(actor=act, requester=other, subject="Not theirs", body="x")

    view = contact_360(viewer=agent, contact_id=contact.pk)
    assert view.id == contact.pk and view.name == contact.name
    assert [i.value for i in view.identities] == [customer_user.email]
    assert [t.id for t in view.open_tickets] == [open_t.pk]
    assert [t.id for t in view.recent_tickets] == [solved.pk]
    assert view.purchase_count == 2 and view.lifetime_value == Decimal("25.00")
    assert [p.product for p in view.purchases] == ["Gizmo", "Gadget"]
    assert {(c.channel, c.open, c.total) for c in view.channels} == {("email", 1, 1), ("chat", 0, 1)}
    kinds = [item.kind for item in view.timeline]
    assert kinds.count("message") == 3 and kinds.count("note") == 1 and kinds.count("purchase") == 2
    assert "event" in kinds
    assert [item.at for item in view.timeline] == sorted((item.at for item in view.timeline), reverse=True)
    assert all(item.ticket_subject != "Not theirs" for item in view.timeline)
    first = next(i for i in view.timeline if i.summary == "help")
    reply = next(i for i in view.timeline if i.summary == "Here you go")
    assert (first.direction, reply.direction) == ("in", "out")

    # the customer sees their own record, without internal notes or CRM events
    own = contact_360(viewer=customer_user, contact_id=contact.pk)
    assert [item.kind for item in own.timeline].count("note") == 0
    assert "event" not in [item.kind for item in own.timeline]
    assert all("internal remark" not in item.summary for item in own.timeline)


def test_permissions(agent, customer_user):
    other = contact_create(actor=Actor.of(agent), name="Other", email="o@example.test")
    with pytest.raises(NotFound):
        contact_360(viewer=customer_user, contact_id=other.pk)
    for bad in (0, -1, 2**63, 10**6):
        with pytest.raises(NotFound):
            contact_360(viewer=agent, contact_id=bad)
    inactive = f.UserFactory(role="agent", is_active=False)
    with pytest.raises(NotFound):
        contact_360(viewer=inactive, contact_id=other.pk)
    assert contact_360(viewer=f.UserFactory(role="light_agent"), contact_id=other.pk).id == other.pk
