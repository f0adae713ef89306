"""The payload a handler sees is exactly what the ticket services wrote: driven through the real
services, read back from the outbox row and validated through the event class, as the dispatcher
does (``event_class(row.name).model_validate(row.payload)``)."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.events.base import Event, event_class
from frontdesk.core.events.models import OutboxEvent
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket, team_with
from frontdesk.tickets.events import (
    MessageAdded,
    TicketCreated,
    TicketLinked,
    TicketsMerged,
    TicketSplit,
    TicketUpdated,
)
from frontdesk.tickets.models import Message
from frontdesk.tickets.services import (
    message_add,
    ticket_create,
    ticket_link,
    ticket_split,
    ticket_unlink,
    ticket_update,
    tickets_merge,
)

pytestmark = pytest.mark.django_db


def seen(name: str, after: int = 0) -> list[Event]:
    """What a handler of ``name`` receives for each stored event (after outbox id ``after``)."""
    rows = OutboxEvent.objects.filter(name=name, pk__gt=after).order_by("pk")
    events = [event_class(row.name).model_validate(row.payload) for row in rows]
    for row, event in zip(rows, events, strict=True):
        assert event.model_dump(mode="json") == row.payload  # nothing lost or added on the way
    return events


def last_id() -> int:
    return OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_ticket_created_payload(agent) -> None:
    org = f.OrganisationFactory()
    requester = f.ContactFactory(organisation=org)
    cc = f.ContactFactory()
    team = team_with(agent)
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["free", "pro"])
    ticket = ticket_create(
        actor=Actor.of(agent), requester=requester, subject=" Cannot log in ", body="Help",
        priority="high", type="incident", tags=["Login", "web"], custom_fields={"plan": "pro"}, team=team,
        assignee=agent, followers=[agent], ccs=[cc], channel="email", due_at="2030-01-02T03:04:05+00:00",
    )
    (event,) = seen("ticket.created")
    assert isinstance(event, TicketCreated)
    assert event.model_dump(mode="json") == {
        "ticket_id": ticket.pk,
        "fields": {
            "subject": "Cannot log in", "status": "new", "status_category": "new", "priority": 3,
            "type": "incident", "channel": "email", "brand_id": ticket.brand_id, "team_id": team.pk,
            "assignee_id": agent.pk, "requester_id": requester.pk, "organisation_id": org.pk,
            "tags": ["login", "web"], "custom_fields": {"plan": "pro"}, "due_at": ticket.due_at.isoformat(),
            "followers": [agent.pk], "ccs": [cc.pk],
        },
    }
    message = Message.objects.get(ticket=ticket)
    (opening,) = seen("ticket.message_added")
    assert opening == MessageAdded(
        ticket_id=ticket.pk, message_id=message.pk, kind="public", channel="email",
        author_user_id=None, author_contact_id=requester.pk, attachment_ids=[], opening=True,
    )  # written on the requester's behalf: no author_user_id unless the agent asks for it


def test_ticket_updated_payload(agent) -> None:
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["free", "pro"])
    ticket = make_ticket(tags=["a"], custom_fields={"plan": "free"})
    before = last_id()
    ticket_update(
        actor=Actor.of(agent), ticket=ticket, subject="New subject", priority="urgent",
        status="open", assignee=agent, tags=["a", "b"], custom_fields={"plan": "pro"}, followers=[agent],
    )
    (event,) = seen("ticket.updated", before)
    assert isinstance(event, TicketUpdated)
    changes: dict[str, Any] = {
        "subject": ["Printer on fire", "New subject"],
        "priority": [2, 4],
        "status": ["new", "open"],
        "status_category": ["new", "open"],
        "assignee_id": [None, agent.pk],
        "custom_fields.plan": ["free", "pro"],
        "tags": [["a"], ["a", "b"]],
        "followers": [[], [agent.pk]],
    }
    assert event.model_dump(mode="json") == {"ticket_id": ticket.pk, "changes": changes}
    assert event.changes["assignee_id"][1] == agent.pk  # as the notification handlers read it


def test_message_added_payload(agent) -> None:
    ticket = make_ticket()
    before = last_id()
    message = message_add(actor=Actor.of(agent), ticket=ticket, body="Have you tried...", kind="note")
    (event,) = seen("ticket.message_added", before)
    assert event.model_dump(mode="json") == {
        "ticket_id": ticket.pk, "message_id": message.pk, "kind": "note", "channel": ticket.channel,
        "author_user_id": agent.pk, "author_contact_id": None, "mentioned_user_ids": [], "attachment_ids": [],
        "opening": False,
    }


def test_tickets_merged_payload(agent) -> None:
    requester = f.ContactFactory()
    source, target = make_ticket(requester), make_ticket(requester)
    moved = list(Message.objects.filter(ticket=source).values_list("pk", flat=True))
    before = last_id()
    tickets_merge(actor=Actor.of(agent), source=source, target=target)
    (event,) = seen("ticket.merged", before)
    assert event == TicketsMerged(source_id=source.pk, target_id=target.pk, moved_message_ids=moved)
    assert event.model_dump(mode="json") == {
        "source_id": source.pk, "target_id": target.pk, "moved_message_ids": moved,
    }


def test_tickets_merged_with_other_requester_updates_the_target(agent) -> None:
    source, target = make_ticket(), make_ticket()
    before = last_id()
    tickets_merge(actor=Actor.of(agent), source=source, target=target, requester="source")
    (update,) = seen("ticket.updated", before)
    assert isinstance(update, TicketUpdated) and update.ticket_id == target.pk
    assert update.changes["requester_id"] == [target.requester_id, source.requester_id]


def test_ticket_split_payload(agent) -> None:
    ticket = make_ticket(tags=["x"])
    second = message_add(actor=Actor.of(agent), ticket=ticket, body="another question")
    before = last_id()
    new = ticket_split(actor=Actor.of(agent), ticket=ticket, message_ids=[second.pk])
    (event,) = seen("ticket.split", before)
    assert event == TicketSplit(source_id=ticket.pk, new_ticket_id=new.pk, message_ids=[second.pk])
    (created,) = seen("ticket.created", before)
    assert isinstance(created, TicketCreated)
    assert created.fields == {
        "subject": new.subject, "status": new.status, "status_category": new.status_category,
        "priority": new.priority, "type": new.type, "channel": new.channel, "brand_id": new.brand_id,
        "team_id": None, "assignee_id": None, "requester_id": new.requester_id,
        "organisation_id": new.organisation_id, "tags": ["x"], "custom_fields": {}, "due_at": None,
        "split_from": ticket.pk,
    }


def test_ticket_linked_and_unlinked_payloads(agent) -> None:
    a, b = make_ticket(), make_ticket()
    before = last_id()
    ticket_link(actor=Actor.of(agent), source=a, target=b, kind="related")
    (linked,) = seen("ticket.linked", before)
    assert linked == TicketLinked(source_id=a.pk, target_id=b.pk, kind="related")
    assert linked.model_dump(mode="json") == {"source_id": a.pk, "target_id": b.pk, "kind": "related"}
    ticket_unlink(actor=Actor.of(agent), source=a, target=b, kind="related")
    (unlinked,) = seen("ticket.unlinked", before)
    assert unlinked.model_dump(mode="json") == {"source_id": a.pk, "target_id": b.pk, "kind": "related"}
