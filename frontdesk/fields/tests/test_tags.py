"""Tag administration services: rename, merge (with overlap, under concurrency), delete; admins only; events."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from frontdesk.core.actor import SYSTEM, Actor
from frontdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from frontdesk.core.events.models import OutboxEvent
from frontdesk.fields import tags as svc
from frontdesk.fields.models import Tag
from frontdesk.fields.tag_selectors import tag_ticket_counts, tickets_with_any
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def tagged(*names: str) -> Ticket:
    contact = f.ContactFactory()
    return ticket_create(actor=SYSTEM, requester=contact, subject="Tagged", body="Hello", tags=list(names))


def names_of(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


def events(name: str) -> list[dict]:
    return [e.payload for e in OutboxEvent.objects.filter(name=name).order_by("pk")]


def test_rename_keeps_the_tickets_and_records_the_event(admin_user) -> None:
    t1, t2 = tagged("billing"), tagged("billing", "vip")
    renamed = svc.tag_rename(actor=Actor.of(admin_user), tag_id=tag("billing").pk, name="  Invoices ")
    assert renamed.name == "invoices"
    assert names_of(t1) == ["invoices"] and names_of(t2) == ["invoices", "vip"]
    assert not Tag.objects.filter(name="billing").exists()
    assert events("tag.renamed") == [{"tag_id": renamed.pk, "old_name": "billing", "new_name": "invoices"}]
    event = OutboxEvent.objects.get(name="tag.renamed")
    assert event.actor["user_id"] == admin_user.pk


def test_renaming_to_the_same_name_changes_nothing(admin_user) -> None:
    tagged("billing")
    svc.tag_rename(actor=Actor.of(admin_user), tag_id=tag("billing").pk, name="Billing")
    assert events("tag.renamed") == []


@pytest.mark.parametrize(("name", "problem"), [
    ("", "Enter a name."),
    ("   ", "Enter a name."),
    ("x" * 61, "At most 60 characters (this one has 61)."),
    ("-starts-with-a-dash", "Letters, digits"),
    ("semi;colon", "Letters, digits"),
])
def test_a_bad_name_is_refused_on_the_name_field(admin_user, name, problem) -> None:
    tagged("billing")
    with pytest.raises(ValidationError) as caught:
        svc.tag_rename(actor=Actor.of(admin_user), tag_id=tag("billing").pk, name=name)
    assert problem in caught.value.fields["name"]
    assert Tag.objects.filter(name="billing").exists()


def test_renaming_to_an_existing_name_asks_first_then_merges(admin_user) -> None:
    both, only_old, only_new = tagged("refund", "refunds"), tagged("refund"), tagged("refunds")
    refund_id = tag("refund").pk
    with pytest.raises(Conflict) as caught:
        svc.tag_rename(actor=Actor.of(admin_user), tag_id=tag("refund").pk, name="refunds")
    assert caught.value.code == "tag_exists" and "name" in caught.value.fields
    assert names_of(only_old) == ["refund"], "nothing changed before the confirmation"
    kept = svc.tag_rename(actor=Actor.of(admin_user), tag_id=tag("refund").pk, name="refunds", merge=True)
    assert kept.name == "refunds"
    assert names_of(both) == ["refunds"] and names_of(only_old) == ["refunds"] and names_of(only_new) == ["refunds"]
    assert not Tag.objects.filter(name="refund").exists()
    assert events("tags.merged") == [{"target_id": kept.pk, "target_name": "refunds", "source_ids": [refund_id],
                                      "source_names": ["refund"], "ticket_count": 2}]
    assert events("tag.renamed") == []


def test_merge_folds_several_tags_into_one_and_a_ticket_with_several_ends_with_one(admin_user) -> None:
    all_three = tagged("bug", "defect", "problem")
    two = tagged("defect", "problem")
    one = tagged("defect")
    untouched = tagged("feature")
    source_ids = [tag("defect").pk, tag("problem").pk]
    kept = svc.tags_merge(actor=Actor.of(admin_user), source_ids=source_ids, target_id=tag("bug").pk)
    assert kept.name == "bug"
    for ticket in (all_three, two, one):
        assert names_of(ticket) == ["bug"]
    assert names_of(untouched) == ["feature"]
    assert list(Tag.objects.order_by("name").values_list("name", flat=True)) == ["bug", "feature"]
    assert Ticket.tags.through.objects.filter(ticket=all_three).count() == 1
    assert events("tags.merged") == [{"target_id": kept.pk, "target_name": "bug", "source_ids": sorted(source_ids),
                                      "source_names": ["defect", "problem"], "ticket_count": 3}]


def test_merge_needs_another_tag_and_existing_tags(admin_user) -> None:
    tagged("bug", "defect")
    with pytest.raises(ValidationError):
        svc.tags_merge(actor=Actor.of(admin_user), source_ids=[tag("bug").pk], target_id=tag("bug").pk)
    with pytest.raises(NotFound):
        svc.tags_merge(actor=Actor.of(admin_user), source_ids=[tag("defect").pk], target_id=2**62)
    with pytest.raises(NotFound):
        svc.tags_merge(actor=Actor.of(admin_user), source_ids=[2**70], target_id=tag("bug").pk)
    assert Tag.objects.count() == 2 and events("tags.merged") == []


def test_delete_takes_the_tag_off_every_ticket_and_says_how_many(admin_user) -> None:
    t1, t2, t3 = tagged("spam", "vip"), tagged("spam"), tagged("vip")
    spam = tag("spam")
    assert tag_ticket_counts(viewer=admin_user, tag_ids=[spam.pk]) == {spam.pk: 2}
    assert svc.tag_delete(actor=Actor.of(admin_user), tag_id=spam.pk) == 2
    assert names_of(t1) == ["vip"] and names_of(t2) == [] and names_of(t3) == ["vip"]
    assert not Tag.objects.filter(name="spam").exists()
    assert events("tag.deleted") == [{"tag_id": spam.pk, "tag_name": "spam", "ticket_count": 2}]
    with pytest.raises(NotFound):
        svc.tag_delete(actor=Actor.of(admin_user), tag_id=spam.pk)


def test_counts_are_per_tag_and_distinct_for_a_merge(admin_user) -> None:
    tagged("a", "b")
    tagged("a")
    tagged("c")
    a, b, c = tag("a"), tag("b"), tag("c")
    assert tag_ticket_counts(viewer=admin_user, tag_ids=[a.pk, b.pk, c.pk]) == {a.pk: 2, b.pk: 1, c.pk: 1}
    assert tickets_with_any(viewer=admin_user, tag_ids=[a.pk, b.pk]) == 2


@pytest.mark.parametrize("who", ["supervisor", "agent", "light_agent", "customer_user"])
def test_only_admins_administer_tags(request, who) -> None:
    user = request.getfixturevalue(who)
    ticket = tagged("x", "y")
    x, y = tag("x"), tag("y")
    expected = NotFound if who == "customer_user" else PermissionDenied
    with pytest.raises(expected):
        svc.tag_rename(actor=Actor.of(user), tag_id=x.pk, name="z")
    with pytest.raises(expected):
        svc.tags_merge(actor=Actor.of(user), source_ids=[x.pk], target_id=y.pk)
    with pytest.raises(expected):
        svc.tag_delete(actor=Actor.of(user), tag_id=x.pk)
    with pytest.raises(expected):
        tag_ticket_counts(viewer=user, tag_ids=[x.pk])
    assert names_of(ticket) == ["x", "y"]
    assert OutboxEvent.objects.filter(name__startswith="tag").count() == 0


def test_a_merge_or_delete_marks_the_saved_view_counts_stale(admin_user, django_capture_on_commit_callbacks) -> None:
    from django.core.cache import cache

    from frontdesk.tickets import queue_selectors

    tagged("a", "b")
    queue_selectors.counts_changed()
    before = cache.get(queue_selectors._GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        svc.tags_merge(actor=Actor.of(admin_user), source_ids=[tag("a").pk], target_id=tag("b").pk)
    merged = cache.get(queue_selectors._GENERATION_KEY)
    assert merged != before
    with django_capture_on_commit_callbacks(execute=True):
        svc.tag_delete(actor=Actor.of(admin_user), tag_id=tag("b").pk)
    assert cache.get(queue_selectors._GENERATION_KEY) != merged


def _race(*calls) -> list[BaseException | object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(calls))
    results: list[BaseException | object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_merges_into_one_tag_leave_each_ticket_with_it_once(admin_user) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises writers)")
    tickets = [tagged("a", "b", "keep") for _ in range(5)] + [tagged("a", "b") for _ in range(5)]
    a, b, keep = tag("a").pk, tag("b").pk, tag("keep").pk
    results = _race(
        lambda: svc.tags_merge(actor=Actor.of(admin_user), source_ids=[a], target_id=keep),
        lambda: svc.tags_merge(actor=Actor.of(admin_user), source_ids=[b], target_id=keep),
    )
    assert all(isinstance(r, Tag) for r in results), results
    for ticket in tickets:
        assert names_of(ticket) == ["keep"]
    assert Ticket.tags.through.objects.filter(tag_id=keep).count() == len(tickets)


@pytest.mark.django_db(transaction=True)
def test_crossed_merges_do_not_deadlock_one_wins(admin_user) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises writers)")
    tickets = [tagged("left", "right") for _ in range(3)] + [tagged("left") for _ in range(3)]
    left, right = tag("left").pk, tag("right").pk
    results = _race(
        lambda: svc.tags_merge(actor=Actor.of(admin_user), source_ids=[left], target_id=right),
        lambda: svc.tags_merge(actor=Actor.of(admin_user), source_ids=[right], target_id=left),
    )
    won = [r for r in results if isinstance(r, Tag)]
    lost = [r for r in results if isinstance(r, NotFound)]
    assert len(won) == 1 and len(lost) == 1, results
    assert list(Tag.objects.values_list("pk", flat=True)) == [won[0].pk]
    for ticket in tickets:
        assert names_of(ticket) == [won[0].name]
