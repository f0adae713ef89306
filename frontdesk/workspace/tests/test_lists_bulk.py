"""Bulk actions from a ticket list: assign, status, priority, tags and merge, with failures named."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import SYSTEM
from frontdesk.testing import factories as f
from frontdesk.testing.fixtures import client_for
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def make(subject: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("requester", f.ContactFactory())
    return ticket_create(actor=SYSTEM, subject=subject, body="Help", **kw)


def flashes(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_bulk_assign_status_priority_and_tags(agent, supervisor) -> None:  # type: ignore[no-untyped-def]
    tickets = [make(f"T{i}") for i in range(3)]
    ids = [t.pk for t in tickets]
    response = client_for(agent).post("/tickets/bulk/", {
        "ticket_ids": ids, "action": "update", "assignee": str(supervisor.pk), "status": "pending",
        "priority": "4", "add_tags": "billing, VIP", "next": "/tickets/?sort=-id",
    }, follow=True)
    assert response.redirect_chain[-1][0] == "/tickets/?sort=-id"
    assert "3 tickets updated." in flashes(response)
    for t in Ticket.objects.filter(pk__in=ids):
        assert (t.assignee_id, t.status_category, t.priority) == (supervisor.pk, "pending", 4)
        assert set(t.tags.values_list("name", flat=True)) == {"billing", "vip"}
    html = response.content.decode()
    assert html.count(f">{supervisor.name}</td>") >= 3, "the list shows the new assignee"


def test_failures_are_listed_with_their_reason(agent) -> None:  # type: ignore[no-untyped-def]
    open_one = make("Open")
    closed = make("Closed")
    ticket_update(actor=SYSTEM, ticket=closed, status="closed")
    hidden_team = f.TeamFactory(restricted=True)
    hidden = make("Hidden", team=hidden_team)
    response = client_for(agent).post("/tickets/bulk/", {
        "ticket_ids": [open_one.pk, closed.pk, hidden.pk], "action": "update", "priority": "3",
    }, follow=True)
    messages = flashes(response)
    assert "1 ticket updated." in messages
    assert any(m.startswith(f"#{closed.pk} not changed:") for m in messages)
    assert f"#{hidden.pk} not changed: Ticket not found." in messages
    assert Ticket.objects.get(pk=hidden.pk).priority == 2


def test_nothing_selected_or_nothing_to_change_is_explained(agent) -> None:  # type: ignore[no-untyped-def]
    t = make("One")
    client = client_for(agent)
    response = client.post("/tickets/bulk/", {"action": "update", "priority": "3"}, follow=True)
    assert any("Select the tickets" in m for m in flashes(response))
    response = client.post("/tickets/bulk/", {"ticket_ids": [t.pk], "action": "update"}, follow=True)
    assert any("Choose what to change" in m for m in flashes(response))
    response = client.post("/tickets/bulk/", {"ticket_ids": ["1e9", "-3"], "priority": "3"}, follow=True)
    assert response.status_code == 200
    response = client.post("/tickets/bulk/", {"ticket_ids": [t.pk], "assignee": "99999999999999999999"},
                           follow=True)
    assert any("assignee" in m for m in flashes(response))


def test_bulk_merge_into_one_of_the_selected(agent) -> None:  # type: ignore[no-untyped-def]
    requester = f.ContactFactory()  # one customer's duplicates (other requesters: test_merge_requesters_page.py)
    a, b, c = make("A", requester=requester), make("B", requester=requester), make("C", requester=requester)
    client = client_for(agent)
    response = client.post("/tickets/bulk/", {"ticket_ids": [a.pk, b.pk], "action": "merge",
                                              "merge_target": str(c.pk)}, follow=True)
    assert any("among the selected" in m for m in flashes(response))
    response = client.post("/tickets/bulk/", {"ticket_ids": [a.pk, b.pk, c.pk], "action": "merge",
                                              "merge_target": f"#{c.pk}"}, follow=True)
    assert f"2 tickets merged into #{c.pk}." in flashes(response)
    assert set(Ticket.objects.filter(merged_into=c).values_list("pk", flat=True)) == {a.pk, b.pk}


def test_light_agents_cannot_bulk_update(light_agent) -> None:  # type: ignore[no-untyped-def]
    t = make("One")
    response = client_for(light_agent).post("/tickets/bulk/", {"ticket_ids": [t.pk], "priority": "4"},
                                            follow=True)
    assert any("may not change" in m for m in flashes(response))
    assert Ticket.objects.get(pk=t.pk).priority == 2


def test_next_must_stay_on_this_site(agent) -> None:  # type: ignore[no-untyped-def]
    t = make("One")
    response = client_for(agent).post("/tickets/bulk/", {"ticket_ids": [t.pk], "priority": "4",
                                                         "next": "https://evil.example/"})
    assert response["Location"] == "/tickets/"
