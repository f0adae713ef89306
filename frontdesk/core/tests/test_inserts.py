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


@pytest.mark.django_db
def test_insert_claiming_writes_a_row_and_the_claim_it_owns_or_only_the_row_when_the_claim_is_taken() -> None:
    """A contact and its identity: one statement on PostgreSQL, with the contact's search entry
    computed in it; a second contact claiming the same address gets no identity (False) and the
    transaction goes on."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from frontdesk.core.inserts import insert_claiming
    from frontdesk.customers import search
    from frontdesk.customers.models import Contact, Identity

    with transaction.atomic():
        ana = Contact(name="Ana Lima", primary_email="ana@example.test")
        with CaptureQueriesContext(connection) as queries:
            claimed = insert_claiming(
                ana, Identity(kind="email", value="ana@example.test", is_primary=True), fk="contact",
                unique=("kind", "value"), sql=search.new_contact_columns(ana, ["ana@example.test"]),
            )
        assert claimed and ana.pk is not None
        assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
        other = Contact(name="Impostor", primary_email="ana@example.test")
        assert insert_claiming(other, Identity(kind="email", value="ana@example.test"), fk="contact",
                               unique=("kind", "value")) is False
        assert other.pk is not None, "the row is written; its caller removes it"
        other.delete()
    owner = Identity.objects.select_related("contact").get(kind="email", value="ana@example.test").contact
    assert owner.pk == ana.pk and owner.name == "Ana Lima"
    assert Contact.objects.filter(name="Impostor").count() == 0
    if connection.vendor == "postgresql":
        assert Contact.objects.filter(pk=ana.pk, search_vector__isnull=False).exists(), "indexed in the same statement"
