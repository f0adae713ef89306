"""ticket_update with the values the editor saw (lost updates) and the ticket's version."""

from __future__ import annotations

import pytest

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.core.errors import ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.tickets.models import Ticket, TicketAudit
from frontdesk.tickets.services import (
    message_add,
    ticket_split,
    ticket_update,
    tickets_bulk_update,
    tickets_merge,
)
from frontdesk.tickets.services.conflicts import FieldConflict, StaleVersion

pytestmark = pytest.mark.django_db


def _named(name: str, role: str = "agent"):  # type: ignore[no-untyped-def]
    return f.UserFactory(role=role, name=name)


def test_a_stale_save_of_other_fields_keeps_the_colleagues_priority_and_the_trail_shows_only_real_changes() -> None:
    ana, ben = _named("Ana Lima"), _named("Ben Ode")
    ticket = make_ticket(tags=["billing"])
    seen_by_ben = {"priority": 2, "tags": ["billing"], "status": "new"}  # Ben opened the page

    ticket_update(actor=Actor.of(ana), ticket=ticket, expected={"priority": 2}, priority=4)
    # Ben's form sends everything it shows, with what he saw: only tags differ from that
    ticket_update(actor=Actor.of(ben), ticket=ticket, expected=seen_by_ben,
                  priority=2, status="new", tags=["billing", "refund"])

    ticket.refresh_from_db()
    assert ticket.priority == 4, "Ana's Urgent stays"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "refund"]
    trail = [(a.actor_user_id, a.field, a.old_value, a.new_value)
             for a in TicketAudit.objects.filter(ticket=ticket, action="updated").order_by("pk")]
    assert trail == [(ana.pk, "priority", 2, 4), (ben.pk, "tags", ["billing"], ["billing", "refund"])]


def test_changing_a_field_someone_else_changed_since_is_refused_with_both_values_and_changes_nothing() -> None:
    ana, ben = _named("Ana Lima"), _named("Ben Ode")
    ticket = make_ticket(tags=["billing"])
    ticket_update(actor=Actor.of(ana), ticket=ticket, priority="urgent")
    version = Ticket.objects.get(pk=ticket.pk).version
    events = OutboxEvent.objects.count()

    with pytest.raises(FieldConflict) as caught:
        ticket_update(actor=Actor.of(ben), ticket=ticket, expected={"priority": 2, "tags": ["billing"]},
                      priority=1, tags=["billing", "vip"])

    exc = caught.value
    assert exc.status == 409 and exc.code == "edit_conflict"
    assert exc.message == ("Ana Lima changed Priority to Urgent since you opened this ticket; "
                           "your change (Low) was not saved.")
    assert list(exc.fields) == ["priority"] and "Urgent" in exc.fields["priority"] and "Low" in exc.fields["priority"]
    [stale] = exc.stale
    assert (stale.field, stale.label, stale.theirs, stale.yours, stale.current, stale.by) == (
        "priority", "Priority", "Urgent", "Low", 4, "Ana Lima")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.priority == 4 and fresh.version == version
    assert sorted(fresh.tags.values_list("name", flat=True)) == ["billing"], "the tags were not saved either"
    assert OutboxEvent.objects.count() == events


def test_the_same_change_made_by_both_is_not_a_conflict_and_not_written_twice() -> None:
    ana, ben = _named("Ana Lima"), _named("Ben Ode")
    ticket = make_ticket()
    ticket_update(actor=Actor.of(ana), ticket=ticket, status="pending")
    ticket_update(actor=Actor.of(ben), ticket=ticket, expected={"status": "new"}, status="pending")
    assert TicketAudit.objects.filter(ticket=ticket, field="status").count() == 1


def test_conflicts_name_labels_not_keys_for_status_assignee_and_custom_fields() -> None:
    ana, ben = _named("Ana Lima"), _named("Ben Ode")
    CustomField.objects.create(key="plan", label="Plan", type="dropdown", options=["basic", "pro"])
    ticket = make_ticket()
    ticket_update(actor=Actor.of(ana), ticket=ticket, status="pending", assignee=ana,
                  custom_fields={"plan": "pro"})

    with pytest.raises(FieldConflict) as caught:
        ticket_update(actor=Actor.of(ben), ticket=ticket,
                      expected={"status": "new", "assignee": None, "custom_fields": {"plan": None}},
                      status="solved", assignee=ben.pk, custom_fields={"plan": "basic"})
    words = {s.field: (s.label, s.theirs, s.yours, s.by) for s in caught.value.stale}
    assert words == {
        "status": ("Status", "Pending", "Solved", "Ana Lima"),
        "assignee": ("Assignee", "Ana Lima", "Ben Ode", "Ana Lima"),
        "custom_fields.plan": ("Plan", "pro", "basic", "Ana Lima"),
    }
    assert set(caught.value.fields) == {"status", "assignee", "custom_fields.plan"}


def test_your_own_earlier_change_says_you_and_a_change_by_the_system_names_it() -> None:
    ana = _named("Ana Lima")
    ticket = make_ticket()
    ticket_update(actor=Actor.of(ana), ticket=ticket, type="incident")  # in another tab
    with pytest.raises(FieldConflict) as mine:
        ticket_update(actor=Actor.of(ana), ticket=ticket, expected={"type": "question"}, type="task")
    assert mine.value.stale[0].by == "You"
    assert mine.value.message.startswith("You changed Type to Incident")

    ticket_update(actor=SYSTEM, ticket=ticket, due_at="2030-01-31T10:00:00+00:00")
    with pytest.raises(FieldConflict) as system:
        ticket_update(actor=Actor.of(ana), ticket=ticket, expected={"due_at": None},
                      due_at="2031-01-01T09:00:00+00:00")
    assert system.value.stale[0].by == "system" and "2030" in system.value.stale[0].theirs


def test_unchanged_fields_are_never_written() -> None:
    ana = _named("Ana Lima")
    follower = _named("Fay Follower")
    ticket = make_ticket(tags=["a"], followers=[follower.pk], due_at="2030-01-31T10:00:00+00:00")
    version = Ticket.objects.get(pk=ticket.pk).version
    ticket_update(
        actor=Actor.of(ana), ticket=ticket,
        expected={"priority": "normal", "tags": ["A"], "followers": [follower.pk], "due_at": "2030-01-31T10:00:00Z",
                  "subject": "Printer on fire"},
        priority=2, tags=["a"], followers=[follower.pk], due_at="2030-01-31T10:00:00+00:00", subject="Printer on fire",
    )
    assert not TicketAudit.objects.filter(ticket=ticket, action="updated").exists()
    assert Ticket.objects.get(pk=ticket.pk).version == version, "nothing written, nothing bumped"


def test_a_bad_expected_is_a_validation_error() -> None:
    ticket = make_ticket()
    with pytest.raises(ValidationError) as caught:
        ticket_update(actor=SYSTEM, ticket=ticket, expected={"colour": "red"}, priority=3)
    assert "expected.colour" in caught.value.fields


def test_if_version_refuses_a_stale_whole_ticket_write() -> None:
    ticket = make_ticket()
    v1 = Ticket.objects.get(pk=ticket.pk).version
    ticket_update(actor=SYSTEM, ticket=ticket, if_version=v1, priority=3)
    with pytest.raises(StaleVersion) as caught:
        ticket_update(actor=SYSTEM, ticket=ticket, if_version=v1, priority=1)
    assert caught.value.status == 412 and caught.value.code == "precondition_failed"
    assert Ticket.objects.get(pk=ticket.pk).priority == 3
    ticket_update(actor=SYSTEM, ticket=ticket, if_version={v1, v1 + 1}, priority=1)
    assert Ticket.objects.get(pk=ticket.pk).priority == 1


def test_every_kind_of_ticket_write_bumps_the_version(agent) -> None:
    requester = f.ContactFactory()
    ticket = make_ticket(requester)
    other = make_ticket(requester)

    def version(t: Ticket) -> int:
        return Ticket.objects.get(pk=t.pk).version

    assert version(ticket) == 1
    steps = [
        lambda: ticket_update(actor=SYSTEM, ticket=ticket, priority=3),
        lambda: message_add(actor=Actor.of(agent), ticket=ticket, body="Looking", kind="note"),
        lambda: message_add(actor=Actor.of(agent), ticket=ticket, body="Done", set_status="pending"),
        lambda: tickets_bulk_update(actor=SYSTEM, ticket_ids=[ticket.pk], add_tags=["bulk"]),
        lambda: Ticket.objects.filter(pk=ticket.pk).update(subject="Renamed in bulk"),
    ]
    for step in steps:
        before = version(ticket)
        step()
        assert version(ticket) > before, step
    before = version(ticket)
    note = message_add(actor=Actor.of(agent), ticket=ticket, body="Split me off", kind="note")
    ticket_split(actor=SYSTEM, ticket=ticket, message_ids=[note.pk])
    assert version(ticket) > before + 1, "the message and the split both bump it"
    before = version(ticket)
    tickets_merge(actor=SYSTEM, source=other, target=ticket)
    assert version(ticket) > before and version(other) > 1
