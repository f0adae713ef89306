from __future__ import annotations

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.tickets.models import TicketAudit
from frontdesk.tickets.services import status_create, status_update, ticket_update

pytestmark = pytest.mark.django_db


def test_update_records_old_and_new_values_and_one_audit_row_per_field(agent) -> None:
    CustomField.objects.create(key="plan", label="Plan", type="text")
    ticket = make_ticket(tags=["a", "b"])
    updated = ticket_update(
        actor=Actor.of(agent),
        ticket=ticket,
        priority="urgent",
        status="pending",
        add_tags=["c"],
        remove_tags=["a"],
        custom_fields={"plan": "pro"},
        assignee=agent,
    )
    assert updated.priority == 4 and updated.status_category == "pending" and updated.assignee == agent
    assert sorted(updated.tags.values_list("name", flat=True)) == ["b", "c"]
    event = OutboxEvent.objects.filter(name="ticket.updated").get()
    assert event.payload["changes"] == {
        "priority": [2, 4],
        "status": ["new", "pending"],
        "status_category": ["new", "pending"],
        "tags": [["a", "b"], ["b", "c"]],
        "custom_fields.plan": [None, "pro"],
        "assignee_id": [None, agent.pk],
    }
    rows = {
        a.field: (a.old_value, a.new_value)
        for a in TicketAudit.objects.filter(ticket=ticket, action="updated")
    }
    assert rows == {
        "priority": (2, 4),
        "status": ("new", "pending"),
        "tags": (["a", "b"], ["b", "c"]),
        "custom_fields.plan": (None, "pro"),
        "assignee_id": (None, agent.pk),
    }
    assert all(a.actor_user_id == agent.pk for a in TicketAudit.objects.filter(action="updated"))


def test_no_change_records_nothing(agent) -> None:
    ticket = make_ticket(priority="normal")
    ticket_update(actor=Actor.of(agent), ticket=ticket, priority=2, tags=[])
    assert not OutboxEvent.objects.filter(name="ticket.updated").exists()


def test_solved_and_closed_timestamps_and_closed_cannot_reopen(agent) -> None:
    ticket = make_ticket()
    t = ticket_update(actor=Actor.of(agent), ticket=ticket, status="solved")
    assert t.solved_at is not None and t.closed_at is None
    t = ticket_update(actor=Actor.of(agent), ticket=ticket, status="open")
    assert t.solved_at is None
    t = ticket_update(actor=Actor.of(agent), ticket=ticket, status="closed")
    assert t.solved_at is not None and t.closed_at is not None
    with pytest.raises(Conflict, match="follow-up"):
        ticket_update(actor=Actor.of(agent), ticket=ticket, status="open")


def test_inactive_custom_status_is_refused(admin_user, agent) -> None:
    status = status_create(
        actor=Actor.of(admin_user), key="parts", label="Parts", category="on_hold"
    )
    status_update(actor=Actor.of(admin_user), status=status, active=False)
    with pytest.raises(ValidationError) as exc:
        ticket_update(actor=Actor.of(agent), ticket=make_ticket(), status="parts")
    assert "status" in exc.value.fields


def test_moving_to_a_team_unassigns_a_non_member(agent) -> None:
    team = f.TeamFactory()
    ticket = make_ticket(assignee=agent)
    t = ticket_update(actor=Actor.of(agent), ticket=ticket, team=team.pk)
    assert t.team == team and t.assignee is None


def test_unknown_fields_and_bad_values_are_refused(agent) -> None:
    ticket = make_ticket()
    with pytest.raises(ValidationError) as exc:
        ticket_update(actor=Actor.of(agent), ticket=ticket, requester=1)
    assert exc.value.fields == {"requester": "unknown field"}
    CustomField.objects.create(key="count", label="Count", type="number")
    with pytest.raises(ValidationError) as exc:
        ticket_update(actor=Actor.of(agent), ticket=ticket, custom_fields={"count": "many"})
    assert "custom_fields.count" in exc.value.fields


def test_who_may_update(agent, light_agent, customer_user) -> None:
    team = f.TeamFactory(restricted=True)
    ticket = make_ticket(team=team)
    with pytest.raises(NotFound):  # a restricted team's ticket is invisible to non-members
        ticket_update(actor=Actor.of(agent), ticket=ticket, priority=3)
    open_ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        ticket_update(actor=Actor.of(light_agent), ticket=open_ticket, priority=3)
    with pytest.raises(NotFound):
        ticket_update(actor=Actor.of(customer_user), ticket=open_ticket, priority=3)


def test_builtin_statuses_keep_category_and_stay_active(admin_user, agent) -> None:
    from frontdesk.tickets.models import TicketStatus

    solved = TicketStatus.objects.get(key="solved")
    with pytest.raises(ValidationError) as exc:
        status_update(actor=Actor.of(admin_user), status=solved, category="open", active=False)
    assert set(exc.value.fields) == {"category", "active"}
    renamed = status_update(actor=Actor.of(admin_user), status=solved, label="Done")
    assert renamed.label == "Done"
    with pytest.raises(PermissionDenied):
        status_create(actor=Actor.of(agent), key="x", label="X", category="open")
    with pytest.raises(Conflict):
        status_create(actor=Actor.of(admin_user), key="open", label="Again", category="open")
