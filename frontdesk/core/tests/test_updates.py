from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdesk.core.events.models import OutboxEvent
from frontdesk.core.inserts import insert
from frontdesk.core.updates import update
from frontdesk.tickets.models import Ticket


@pytest.mark.django_db
def test_update_writes_only_the_named_fields_as_save_would() -> None:
    when = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    first, other = (OutboxEvent(name=n, payload={"n": 1}, actor={"kind": "system"}, created_at=when) for n in "ab")
    insert(first, other)
    first.payload = {"text": "é ünïcode", "list": [1, 2]}
    first.dispatched_at = datetime(2026, 3, 2, tzinfo=UTC)
    first.name = "not written"
    first.causation_id = other.pk
    assert update(first, ["payload", "dispatched_at", "causation"]) == 1
    stored = OutboxEvent.objects.get(pk=first.pk)
    assert (stored.payload, stored.dispatched_at, stored.causation_id) == (
        {"text": "é ünïcode", "list": [1, 2]}, datetime(2026, 3, 2, tzinfo=UTC), other.pk
    ), "JSON, time zones and foreign keys are prepared by their fields"
    assert stored.name == "a", "a field not named is left as stored"
    assert OutboxEvent.objects.get(pk=other.pk).payload == {"n": 1}, "only its own row"


def test_update_refuses_a_model_with_its_own_save() -> None:
    with pytest.raises(TypeError, match="own save"):
        update(Ticket(pk=1), ["subject"])  # Ticket.save bumps the version


@pytest.mark.django_db
def test_update_sets_columns_to_sql_expressions_in_the_same_statement() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    when = datetime(2026, 3, 1, tzinfo=UTC)
    first = OutboxEvent(name="a", payload={}, actor={"kind": "system"}, depth=1, created_at=when)
    insert(first)
    first.name = "renamed"
    with CaptureQueriesContext(connection) as ctx:
        update(first, ["name"], sql={"depth": ("depth + %s", [41])})
    assert len(ctx.captured_queries) == 1
    stored = OutboxEvent.objects.get(pk=first.pk)
    assert (stored.name, stored.depth) == ("renamed", 42)


@pytest.mark.django_db
def test_ticket_save_fields_bumps_the_version_as_save_does() -> None:
    from frontdesk.testing.factories import make_ticket

    ticket = make_ticket()
    before = Ticket.objects.get(pk=ticket.pk).version
    ticket.subject = "changed"
    ticket.save_fields(["subject"])
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.version) == ("changed", before + 1) and ticket.version == before + 1
