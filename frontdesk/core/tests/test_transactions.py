"""item_savepoint: one savepoint per item of a batch, none of the services' own inside it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from frontdesk.core.actor import SYSTEM
from frontdesk.core.errors import Conflict
from frontdesk.core.transactions import item_savepoint
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Message, Ticket
from frontdesk.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


def _savepoints(ctx: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith("SAVEPOINT") for q in ctx.captured_queries)


def test_a_failing_item_rolls_back_alone_and_the_services_open_no_savepoint_inside() -> None:
    requester = f.ContactFactory()
    closed = f.make_ticket(requester, status="closed")
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        with item_savepoint():
            ticket_create(actor=SYSTEM, requester=requester, subject="kept", body="first item")
        with pytest.raises(Conflict), item_savepoint():
            ticket_create(actor=SYSTEM, requester=requester, subject="rolled back", body="second item")
            message_add(actor=SYSTEM, ticket=closed, body="a closed ticket refuses it", author_contact=requester)
        with item_savepoint():  # the batch's transaction goes on after the failed item
            ticket_create(actor=SYSTEM, requester=requester, subject="also kept", body="third item")
    assert _savepoints(ctx) == 3, "one savepoint per item, none of ticket_create's or message_add's"
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert {"kept", "also kept"} <= subjects and "rolled back" not in subjects
    assert Ticket.objects.count() == tickets_before + 2 and Message.objects.count() == messages_before + 2


def test_outside_an_item_a_caught_service_error_leaves_the_callers_transaction_usable() -> None:
    requester = f.ContactFactory()
    closed = f.make_ticket(requester, status="closed")
    with transaction.atomic():
        with pytest.raises(Conflict):
            message_add(actor=SYSTEM, ticket=closed, body="refused", author_contact=requester)
        made = ticket_create(actor=SYSTEM, requester=requester, subject="after", body="goes on")
    assert Ticket.objects.filter(pk=made.pk).exists()


@pytest.mark.django_db(transaction=True)  # real commits
def test_on_commit_once_runs_a_callback_once_per_batch_even_after_a_rolled_back_item() -> None:
    from frontdesk.core.transactions import on_commit_once

    calls: list[str] = []

    def bump() -> None:
        calls.append("bump")

    with transaction.atomic():
        try:
            with item_savepoint():  # its registration goes with its rollback
                on_commit_once(bump)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        for _ in range(3):
            with item_savepoint():
                on_commit_once(bump)
        assert calls == [], "nothing before the commit"
    assert calls == ["bump"], "once for the batch, though registered after a rolled-back item"
    with transaction.atomic():  # outside a batch's items: on_commit itself, once per call
        on_commit_once(bump)
        on_commit_once(bump)
    assert calls == ["bump"] * 3


def test_the_audit_trail_of_a_batch_without_savepoints_is_written_as_it_ends_in_one_insert() -> None:
    from frontdesk.core.transactions import writes_behind
    from frontdesk.tickets.models import TicketAudit

    requester = f.ContactFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        with writes_behind():
            first = ticket_create(actor=SYSTEM, requester=requester, subject="one", body="first")
            second = ticket_create(actor=SYSTEM, requester=requester, subject="two", body="second")
            assert not TicketAudit.objects.filter(ticket__in=[first, second]).exists(), "held until the end"
        audits = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "tickets_ticketaudit"')]
        assert len(audits) == 1
    assert set(TicketAudit.objects.filter(ticket__in=[first, second]).values_list("ticket_id", "action")) == {
        (first.pk, "created"), (second.pk, "created")
    }
    with pytest.raises(RuntimeError), transaction.atomic(), writes_behind():
        third = ticket_create(actor=SYSTEM, requester=requester, subject="three", body="rolled back")
        raise RuntimeError("the batch failed")
    assert not Ticket.objects.filter(pk=third.pk).exists()
    assert not TicketAudit.objects.filter(ticket_id=third.pk).exists(), "nothing held is written after a failure"
    ticket = ticket_create(actor=SYSTEM, requester=requester, subject="four", body="outside a batch")
    assert TicketAudit.objects.filter(ticket=ticket, action="created").exists(), "written at once elsewhere"


def test_events_recorded_in_a_batch_are_inserted_at_its_end_with_the_ids_their_handlers_saw() -> None:
    """``writes_behind``: on PostgreSQL the outbox rows of a batch get keys reserved from their
    sequence and are inserted together as the block ends (on SQLite, at once); either way the
    in-transaction handlers and the after-commit dispatch see the ids the rows end up with, in the
    order recorded, and a block that fails inserts nothing it held."""
    from frontdesk.core.events.models import OutboxEvent
    from frontdesk.core.transactions import writes_behind

    requester = f.ContactFactory()
    before = set(OutboxEvent.objects.values_list("pk", flat=True))
    with transaction.atomic():
        with writes_behind():
            made = [ticket_create(actor=SYSTEM, requester=requester, subject=f"batch {n}", body="b") for n in range(3)]
            during = set(OutboxEvent.objects.values_list("pk", flat=True)) - before
            assert bool(during) == (connection.vendor != "postgresql"), "held until the end on PostgreSQL"
        rows = list(OutboxEvent.objects.exclude(pk__in=before).order_by("pk"))
    assert [r.name for r in rows] == ["ticket.created", "ticket.message_added"] * 3
    created = [r for r in rows if r.name == "ticket.created"]
    assert [r.payload["ticket_id"] for r in created] == [t.pk for t in made], "in the order recorded"
    audited = {a.event_id for t in made for a in t.audits.all()}
    assert audited <= {r.pk for r in rows} and audited, "the audit trail points at the rows inserted"

    with pytest.raises(RuntimeError), transaction.atomic(), writes_behind():
        ticket_create(actor=SYSTEM, requester=requester, subject="rolled back", body="b")
        raise RuntimeError("an item failed")
    assert not OutboxEvent.objects.exclude(pk__in=before).exclude(pk__in=[r.pk for r in rows]).exists()
