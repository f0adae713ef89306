from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdesk.core.events.models import OutboxEvent
from frontdesk.core.inserts import insert
from frontdesk.fields.models import Tag


@pytest.mark.django_db
def test_insert_writes_what_save_would_and_sets_primary_keys() -> None:
    when = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    rows = [
        OutboxEvent(name=f"test.e{i}", payload={"n": i, "text": "é ünïcode"}, actor={"kind": "system"},
                    depth=i, created_at=when)
        for i in range(3)
    ]
    insert(*rows)
    assert all(r.pk for r in rows) and len({r.pk for r in rows}) == 3
    for i, row in enumerate(rows):
        stored = OutboxEvent.objects.get(pk=row.pk)
        assert (stored.name, stored.payload, stored.depth, stored.created_at) == (
            f"test.e{i}", {"n": i, "text": "é ünïcode"}, i, when,
        ), "each id belongs to its own row, JSON and time zones survive"
        assert stored.dispatched_at is None and not row._state.adding


@pytest.mark.django_db
def test_insert_applies_field_defaults_like_save() -> None:
    tags = [Tag(name=f"t{i}") for i in range(150)]  # more than one statement's worth
    insert(*tags)
    assert Tag.objects.filter(name__startswith="t").count() == 150
    assert all(t.created_at is not None for t in Tag.objects.all()), "auto_now_add filled in"


@pytest.mark.django_db(transaction=True)
def test_insert_unless_taken_skips_a_taken_value_without_failing_the_transaction() -> None:
    from django.db import transaction

    from frontdesk.core.inserts import insert_unless_taken

    with transaction.atomic():  # no savepoint around the second insert: the transaction must survive it
        first = Tag(name="billing")
        assert insert_unless_taken(first, unique=("name",)) is True and first.pk is not None
        second = Tag(name="billing")
        assert insert_unless_taken(second, unique=("name",)) is False
        assert second.pk is None and second._state.adding, "nothing written, the instance stays new"
        Tag.objects.create(name="after")  # the transaction is still usable
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["after", "billing"]
