from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.tickets.models import Message, Ticket, TicketAudit, TicketLink
from frontdesk.tickets.services import (
    message_add,
    problem_solve,
    ticket_link,
    ticket_split,
    ticket_unlink,
    ticket_update,
    tickets_merge,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_everything_and_closes_the_source(agent) -> None:
    source = make_ticket(tags=["a"], followers=[agent], ccs=[f.ContactFactory()])
    target = make_ticket(tags=["b"])
    source_messages = list(Message.objects.filter(ticket=source).values_list("pk", flat=True))
    # different requesters: the merge names who keeps the ticket (see test_merge_requesters.py)
    tickets_merge(actor=Actor.of(agent), source=source, target=target, requester="target",
                  ccs="both", other_requester_as_cc=True)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into == target and source.status_category == "closed" and source.closed_at
    assert set(source_messages) <= set(Message.objects.filter(ticket=target).values_list("pk", flat=True))
    assert sorted(target.tags.values_list("name", flat=True)) == ["a", "b"]
    assert list(target.followers.all()) == [agent]
    assert source.requester in target.ccs.all()  # asked for: the source's requester hears about the target now
    assert set(source.ccs.all()) <= set(target.ccs.all())
    assert Message.objects.get(ticket=source).body == f"Merged into ticket #{target.pk}."
    assert Message.objects.get(ticket=source).kind == "note"
    assert target.message_count == Message.objects.filter(ticket=target).count() == 3
    assert TicketLink.objects.filter(source=source, target=target, kind="merged_into").exists()
    event = OutboxEvent.objects.get(name="ticket.merged")
    assert event.payload["moved_message_ids"] == source_messages
    assert TicketAudit.objects.filter(ticket=source, action="merged_into").exists()
    assert TicketAudit.objects.filter(ticket=target, action="merged_from").exists()


def test_merge_refusals(agent) -> None:
    requester = f.ContactFactory()
    a, b, c = make_ticket(requester), make_ticket(requester), make_ticket(requester)
    with pytest.raises(ValidationError):
        tickets_merge(actor=Actor.of(agent), source=a, target=a)
    tickets_merge(actor=Actor.of(agent), source=a, target=b)
    with pytest.raises(Conflict):
        tickets_merge(actor=Actor.of(agent), source=a, target=c)
    with pytest.raises(Conflict):
        tickets_merge(actor=Actor.of(agent), source=b, target=a)
    ticket_update(actor=Actor.of(agent), ticket=c, status="closed")
    with pytest.raises(Conflict):
        tickets_merge(actor=Actor.of(agent), source=b, target=c)


def test_split_moves_messages_to_a_new_ticket(agent) -> None:
    ticket = make_ticket(tags=["x"])
    second = message_add(actor=Actor.of(agent), ticket=ticket, body="another question")
    new = ticket_split(actor=Actor.of(agent), ticket=ticket, message_ids=[second.pk])
    ticket.refresh_from_db()
    assert new.requester_id == ticket.requester_id and new.pk != ticket.pk
    assert list(Message.objects.filter(ticket=new).values_list("pk", flat=True)) == [second.pk]
    assert ticket.message_count == 1 and new.message_count == 1
    assert TicketLink.objects.filter(source=new, target=ticket, kind="split_from").exists()
    assert OutboxEvent.objects.filter(name="ticket.split", payload__new_ticket_id=new.pk).exists()
    with pytest.raises(ValidationError):  # the last message stays
        ticket_split(actor=Actor.of(agent), ticket=ticket, message_ids=[ticket.messages.get().pk])
    other = make_ticket()
    with pytest.raises(ValidationError):
        ticket_split(actor=Actor.of(agent), ticket=ticket, message_ids=[other.messages.get().pk])


def test_links_and_problem_solving(agent) -> None:
    problem = make_ticket(type="problem")
    incidents = [make_ticket(), make_ticket()]
    done = make_ticket()
    for t in [*incidents, done]:
        ticket_link(actor=Actor.of(agent), source=t, target=problem, kind="incident_of")
    ticket_update(actor=Actor.of(agent), ticket=done, status="solved")
    assert Ticket.objects.get(pk=incidents[0].pk).type == "incident"
    with pytest.raises(Conflict):
        ticket_link(actor=Actor.of(agent), source=incidents[0], target=problem, kind="incident_of")
    with pytest.raises(ValidationError):
        ticket_link(actor=Actor.of(agent), source=problem, target=incidents[0], kind="incident_of")
    with pytest.raises(ValidationError):
        ticket_link(actor=Actor.of(agent), source=problem, target=problem, kind="related")
    result = problem_solve(actor=Actor.of(agent), problem=problem, body="Fixed in 2.1")
    assert result["solved_incident_ids"] == [t.pk for t in incidents]
    for t in [problem, *incidents]:
        t.refresh_from_db()
        assert t.status == "solved"
        assert t.messages.filter(kind="public", body="Fixed in 2.1", author_user=agent).count() == 1
    assert not done.messages.filter(body="Fixed in 2.1").exists()
    ticket_unlink(actor=Actor.of(agent), source=incidents[1], target=problem, kind="incident_of")
    assert not TicketLink.objects.filter(source=incidents[1]).exists()
    assert TicketAudit.objects.filter(ticket=problem, action="unlinked").exists()
