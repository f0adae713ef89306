from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from frontdesk.core.events.models import OutboxEvent
from frontdesk.core.reads import read_one
from frontdesk.customers.models import Contact


@pytest.mark.django_db
def test_read_one_returns_what_the_orm_would() -> None:
    when = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    row = OutboxEvent.objects.create(name="test.read", payload={"n": 1, "text": "é"}, actor={"kind": "system"},
                                     depth=2, created_at=when, dispatched_at=None)
    got = read_one(OutboxEvent, "id = %s", [row.pk])
    orm = OutboxEvent.objects.get(pk=row.pk)
    assert got is not None and not got._state.adding
    for field in OutboxEvent._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(orm, field.attname), field.name
    assert got.created_at == when and got.payload == {"n": 1, "text": "é"}, "time zones and JSON survive"


@pytest.mark.django_db
def test_read_one_converts_decimals_and_booleans_and_defers_columns() -> None:
    contact = Contact.objects.create(name="Dana", primary_email="dana@example.test", vip=True,
                                     lifetime_value=Decimal("12.50"), custom_fields={"plan": "pro"})
    got = read_one(Contact, "id = %s", [contact.pk], defer=("search_vector", "notes"))
    assert got is not None
    assert (got.name, got.lifetime_value, got.custom_fields) == ("Dana", Decimal("12.50"), {"plan": "pro"})
    assert got.vip is True, "a boolean, not SQLite's 1"
    assert {"search_vector", "notes"} <= got.get_deferred_fields()
    assert got.notes == ""  # loaded on access, like QuerySet.defer


@pytest.mark.django_db
def test_read_one_finds_nothing_and_locks_inside_a_transaction() -> None:
    assert read_one(Contact, "id = %s", [2**62]) is None
    contact = Contact.objects.create(name="Eli")
    with transaction.atomic():
        locked = read_one(Contact, "id = %s", [contact.pk], for_update=True)
        assert locked is not None and locked.pk == contact.pk
