"""Two real processes racing on the same tickets (PostgreSQL: row locks between processes)."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from django.db import connection, transaction

from frontdesk.fields.models import CustomField
from frontdesk.testing import factories as f
from frontdesk.testing.races import wait_until_queued
from frontdesk.tickets.models import Message, Ticket, TicketAudit, TicketLink
from frontdesk.tickets.tests.factories import make_ticket
from frontdesk.tickets.tests.race_workers import run_in_child

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("races between processes need PostgreSQL row locks; SQLite serialises all writers")


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _race(*calls: tuple[str, dict[str, Any]]) -> list[tuple[Any, str, str]]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=run_in_child, args=(_database_url(), action, kwargs, out)) for action, kwargs in calls]
    tickets = sorted({v for _, kwargs in calls for k, v in kwargs.items() if k in ("ticket", "source", "target")})
    with transaction.atomic():
        # the test holds the tickets' row locks until both processes are queued behind them, then
        # lets go: the two calls overlap for real (no sleep, however slow the processes start)
        assert len(Ticket.objects.select_for_update().filter(pk__in=tickets).order_by("pk")) == len(tickets)
        for p in procs:
            p.start()
        wait_until_queued(len(procs), finished=lambda: sum(p.exitcode is not None for p in procs))
    results = [out.get(timeout=90) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert all(code != "crash" for _, code, _ in results), results
    return results


def test_two_processes_update_the_same_ticket_and_both_changes_stay() -> None:
    _require_postgres()
    CustomField.objects.create(key="plan", label="Plan", type="text")
    CustomField.objects.create(key="region", label="Region", type="text")
    a, b = f.UserFactory(role="agent"), f.UserFactory(role="agent")
    ticket = make_ticket(tags=["start"])
    results = _race(
        ("update", {"by_id": a.pk, "ticket": ticket.pk, "custom_fields": {"plan": "pro"}, "add_tags": ["a"]}),
        ("update", {"by_id": b.pk, "ticket": ticket.pk, "custom_fields": {"region": "eu"}, "add_tags": ["b"]}),
    )
    assert [code for _, code, _ in results] == ["ok", "ok"]
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"plan": "pro", "region": "eu"}
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["a", "b", "start"]
    rows = TicketAudit.objects.filter(ticket=ticket, action="updated").order_by("pk")
    assert sorted(r.actor_user_id for r in rows.filter(field="tags")) == sorted([a.pk, b.pk])
    fields = {r.field for r in rows}
    assert {"custom_fields.plan", "custom_fields.region", "tags"} <= fields
    second = rows.filter(field="tags").last()
    assert len(second.old_value) == 2 and len(second.new_value) == 3  # it saw the first change


def test_two_processes_merge_two_tickets_into_each_other_exactly_one_wins() -> None:
    _require_postgres()
    agent = f.UserFactory(role="agent")
    requester = f.ContactFactory()
    x, y = make_ticket(requester), make_ticket(requester)
    results = _race(
        ("merge", {"by_id": agent.pk, "source": x.pk, "target": y.pk}),
        ("merge", {"by_id": agent.pk, "source": y.pk, "target": x.pk}),
    )
    outcomes = sorted(code for _, code, _ in results)
    assert outcomes == ["conflict", "ok"], results
    winner_source = next(src for src, code, _ in results if code == "ok")
    source, target = (x, y) if winner_source == x.pk else (y, x)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into_id == target.pk and source.status == "closed"
    assert target.merged_into_id is None and target.status_category != "closed"
    assert TicketLink.objects.filter(kind="merged_into").count() == 1
    assert Message.objects.filter(ticket=source).count() == 1  # only the "merged into" note stays
    assert target.message_count == Message.objects.filter(ticket=target).count() == 3


def test_two_processes_assign_the_same_ticket_audit_keeps_both_in_order() -> None:
    _require_postgres()
    a, b = f.UserFactory(role="agent"), f.UserFactory(role="agent")
    ticket = make_ticket()
    results = _race(
        ("update", {"by_id": a.pk, "ticket": ticket.pk, "assignee": a.pk}),
        ("update", {"by_id": b.pk, "ticket": ticket.pk, "assignee": b.pk}),
    )
    assert [code for _, code, _ in results] == ["ok", "ok"]
    ticket.refresh_from_db()
    rows = list(TicketAudit.objects.filter(ticket=ticket, field="assignee_id").order_by("pk"))
    assert len(rows) == 2
    assert rows[0].old_value is None
    assert rows[1].old_value == rows[0].new_value  # the second saw the first: no lost update
    assert {rows[0].new_value, rows[1].new_value} == {a.pk, b.pk}
    assert ticket.assignee_id == rows[1].new_value
    assert rows[1].actor_user_id == rows[1].new_value  # each agent assigned themselves
