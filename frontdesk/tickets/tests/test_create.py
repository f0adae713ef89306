from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import PermissionDenied, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import contact_of, make_ticket
from frontdesk.tickets.models import Message, Ticket, TicketAudit
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def test_create_sets_state_first_message_events_and_audit(agent) -> None:
    org = f.OrganisationFactory()
    requester = f.ContactFactory(organisation=org)
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["free", "pro"])
    ticket = ticket_create(
        actor=Actor.of(agent),
        requester=requester,
        subject="  Cannot log in ",
        body="Help",
        priority="high",
        tags=["Login", "web"],
        custom_fields={"plan": "pro"},
        assignee=agent,
        channel="email",
    )
    ticket.refresh_from_db()
    assert ticket.subject == "Cannot log in"
    assert (ticket.status, ticket.status_category, ticket.priority) == ("new", "new", 3)
    assert ticket.organisation == org and ticket.assignee == agent and ticket.brand.is_default
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["login", "web"]
    assert ticket.custom_fields == {"plan": "pro"}
    message = Message.objects.get(ticket=ticket)
    assert message.author_contact == requester and message.kind == "public" and message.channel == "email"
    assert ticket.message_count == 1 and ticket.last_message_at == message.created_at
    names = list(OutboxEvent.objects.order_by("pk").values_list("name", flat=True))
    assert names == ["ticket.created", "ticket.message_added"]
    created = OutboxEvent.objects.get(name="ticket.created")
    assert created.payload["fields"]["tags"] == ["login", "web"]
    audits = list(TicketAudit.objects.filter(ticket=ticket).order_by("pk"))
    # one "created" entry holds the initial properties and the opening message
    assert [a.action for a in audits] == ["created"]
    assert audits[0].new_value["opening_message"] == {"message_id": message.pk, "kind": "public", "channel": "email"}
    assert audits[0].new_value["priority"] == 3
    assert (
        audits[0].actor_user == agent and audits[0].actor_kind == "user" and audits[0].event_id == created.pk
    )


def _search_index(sql: str) -> bool:
    """A statement of the search index's handler (FTS5 on SQLite, the tsvector on PostgreSQL)."""
    return "ticket_fts" in sql or sql.startswith("UPDATE tickets_ticket SET search_vector")


def test_create_uses_a_fixed_number_of_queries(agent) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    requester = f.ContactFactory()
    make_ticket(requester)  # the default brand now exists
    counts, ours = [], []
    for n in (1, 30):
        with CaptureQueriesContext(connection) as ctx:
            ticket_create(
                actor=Actor.of(agent),
                requester=requester,
                subject="s",
                body="b",
                tags=[f"t{n}-{i}" for i in range(n)],
                status="open",
                followers=[agent],
            )
        counts.append(len(ctx.captured_queries))
        ours.append([q["sql"] for q in ctx.captured_queries if not _search_index(q["sql"])])
    assert counts[0] == counts[1], "nothing per tag"
    # the service's own: 4 reads before the transaction (the status, the followers, field definitions,
    # the default brand), the savepoint, the tags (read, insert the missing, read back), the ticket,
    # its tags, its followers, the message, the event, the audit row, the release
    assert len(ours[1]) == 15, "\n".join(ours[1])
    # the search index: on PostgreSQL the tsvector is written in the ticket's INSERT (no statement of
    # its own); on SQLite the in-transaction handler's FTS5 delete + insert
    assert counts[1] - len(ours[1]) == (0 if connection.vendor == "postgresql" else 2)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 301}, "subject"),
        ({"body": "  "}, "body"),
        ({"status": "nope"}, "status"),
        ({"priority": 9}, "priority"),
        ({"type": "bug"}, "type"),
        ({"channel": "pigeon"}, "channel"),
        ({"tags": ["bad tag!"]}, "tags"),
        ({"custom_fields": {"unknown": 1}}, "custom_fields.unknown"),
    ],
)
def test_create_refuses_bad_input(agent, kwargs, field) -> None:
    data = {"subject": "s", "body": "b", **kwargs}
    with pytest.raises(ValidationError) as exc:
        ticket_create(actor=Actor.of(agent), requester=f.ContactFactory(), **data)
    assert field in exc.value.fields
    assert not Ticket.objects.exists()


def test_assignee_must_be_an_active_full_agent_in_the_team(agent, light_agent) -> None:
    team = f.TeamFactory()
    for assignee, team_ in ((light_agent, None), (agent, team), (f.UserFactory(is_active=False), None)):
        with pytest.raises(ValidationError) as exc:
            make_ticket(assignee=assignee, team=team_)
        assert "assignee" in exc.value.fields
    team.members.add(agent)
    assert make_ticket(assignee=agent, team=team).assignee == agent


def test_custom_status_sets_category(admin_user) -> None:
    from frontdesk.tickets.services import status_create

    status_create(
        actor=Actor.of(admin_user), key="waiting-vendor", label="Waiting on vendor", category="on_hold"
    )
    ticket = make_ticket(status="waiting-vendor")
    assert (ticket.status, ticket.status_category) == ("waiting-vendor", "on_hold")


def test_customer_creates_for_themselves_only(customer_user) -> None:
    mine = contact_of(customer_user)
    ticket = ticket_create(
        actor=Actor.of(customer_user), requester=None, subject="s", body="b"
    )
    assert ticket.requester == mine
    with pytest.raises(PermissionDenied):
        ticket_create(
            actor=Actor.of(customer_user),
            requester=f.ContactFactory(),
            subject="s",
            body="b",
        )
    with pytest.raises(PermissionDenied) as exc:
        ticket_create(
            actor=Actor.of(customer_user),
            requester=None,
            subject="s",
            body="b",
            priority="urgent",
        )
    assert "priority" in exc.value.fields


def test_light_agent_cannot_open_tickets(light_agent) -> None:
    with pytest.raises(PermissionDenied):
        ticket_create(
            actor=Actor.of(light_agent), requester=f.ContactFactory(), subject="s", body="b"
        )
