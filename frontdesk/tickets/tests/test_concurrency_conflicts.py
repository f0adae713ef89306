"""Two real processes changing the same field from the same stale read: exactly one wins, the other
is refused (PostgreSQL row locks between processes)."""

from __future__ import annotations

import pytest

from frontdesk.testing import factories as f
from frontdesk.testing.factories import make_ticket
from frontdesk.tickets.models import Ticket, TicketAudit
from frontdesk.tickets.tests.test_concurrency import _race, _require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_agents_taking_the_same_unassigned_ticket_one_is_told_the_other_took_it() -> None:
    _require_postgres()
    a, b = f.UserFactory(role="agent", name="Ana Lima"), f.UserFactory(role="agent", name="Ben Ode")
    ticket = make_ticket()
    results = _race(
        ("update", {"by_id": a.pk, "ticket": ticket.pk, "expected": {"assignee": None}, "assignee": a.pk}),
        ("update", {"by_id": b.pk, "ticket": ticket.pk, "expected": {"assignee": None}, "assignee": b.pk}),
    )
    codes = sorted(code for _, code, _ in results)
    assert codes == ["edit_conflict", "ok"], results
    message = next(m for _, code, m in results if code == "edit_conflict")
    winner = Ticket.objects.get(pk=ticket.pk).assignee
    assert winner in (a, b)
    assert message.startswith(f"{winner.name} changed Assignee to {winner.name} since you opened this ticket")
    assert TicketAudit.objects.filter(ticket=ticket, field="assignee_id").count() == 1


def test_two_api_clients_patching_with_the_same_etag_one_gets_412() -> None:
    _require_postgres()
    a, b = f.UserFactory(role="agent"), f.UserFactory(role="agent")
    ticket = make_ticket()
    version = Ticket.objects.get(pk=ticket.pk).version
    results = _race(
        ("update", {"by_id": a.pk, "ticket": ticket.pk, "if_version": version, "priority": 4}),
        ("update", {"by_id": b.pk, "ticket": ticket.pk, "if_version": version, "priority": 1}),
    )
    assert sorted(code for _, code, _ in results) == ["ok", "precondition_failed"], results
    assert Ticket.objects.get(pk=ticket.pk).version == version + 1
    assert TicketAudit.objects.filter(ticket=ticket, field="priority").count() == 1
