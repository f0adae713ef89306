from __future__ import annotations

from decimal import Decimal

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import ValidationError
from frontdesk.customers import services
from frontdesk.customers.models import Contact, ContactEvent, Identity
from frontdesk.customers.tests.factories import SYSTEM, events, message, ticket
from frontdesk.testing import factories as f


def _contact(agent, email, **kw):  # type: ignore[no-untyped-def]
    return services.contact_create(actor=Actor.of(agent), email=email, **kw)


def test_merge_moves_everything_to_the_target(agent) -> None:
    source = _contact(
        agent,
        "old@example.com",
        phone="+1 555 0100 200",
        notes="Prefers mornings.",
        tags=["beta"],
        custom_fields={},
    )
    target = _contact(agent, "new@example.com", notes="Key account.", tags=["vip"])
    Contact.objects.filter(pk=source.pk).update(custom_fields={"a": 1, "b": 1})
    Contact.objects.filter(pk=target.pk).update(custom_fields={"b": 2})
    for amount in ("10.00", "5.50"):
        services.purchase_record(
            actor=SYSTEM,
            contact=source,
            product="P",
            amount=amount,
            currency="EUR",
            purchased_at="2026-01-01",
        )
    services.purchase_record(
        actor=SYSTEM,
        contact=target,
        product="P",
        amount="1.00",
        currency="EUR",
        purchased_at="2026-01-01",
    )
    services.contact_note_add(actor=Actor.of(agent), contact=source, body="Called about the invoice.")
    bystander = f.ContactFactory()
    own = ticket(source)
    copied = ticket(bystander, ccs=(source,))
    both = ticket(bystander, ccs=(source, target))  # the cc would be a duplicate row
    msg = message(own, source)
    earlier = f.ContactFactory()
    Contact.objects.filter(pk=earlier.pk).update(merged_into=source)

    merged = services.contacts_merge(actor=Actor.of(agent), source=source, target=target)

    assert merged.pk == target.pk
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert not Identity.objects.filter(contact=source).exists()
    assert set(target.identities.values_list("value", flat=True)) == {
        "old@example.com",
        "new@example.com",
        "+15550100200",
    }
    assert target.primary_email == "new@example.com"
    assert target.identities.filter(kind="email", is_primary=True).count() == 1
    assert (target.lifetime_value, target.purchase_count) == (Decimal("16.50"), 3)
    assert (source.lifetime_value, source.purchase_count) == (Decimal("0.00"), 0)
    assert target.purchases.count() == 3
    assert target.custom_fields == {"a": 1, "b": 2}
    assert sorted(t.name for t in target.tags.all()) == ["beta", "vip"]
    assert target.notes == "Key account.\n\nPrefers mornings."
    own.refresh_from_db()
    msg.refresh_from_db()
    assert own.requester_id == target.pk
    assert msg.author_contact_id == target.pk
    assert list(copied.ccs.all()) == [target]
    assert list(both.ccs.all()) == [target]
    assert Contact.objects.get(pk=earlier.pk).merged_into_id == target.pk
    assert ContactEvent.objects.filter(contact=target, kind="note").exists()
    assert ContactEvent.objects.filter(contact=target, kind="merged").exists()
    assert ContactEvent.objects.filter(contact=source, kind="merged").exists()
    moved = events("contact.merged")[0]
    assert moved["source_id"] == source.pk and moved["target_id"] == target.pk
    assert moved["moved"]["identities"] == 2
    assert moved["moved"]["purchases"] == 2
    assert moved["moved"]["tickets"] == 1
    assert moved["moved"]["cc_tickets"] == 1
    assert moved["moved"]["messages"] == 1


def test_merge_moves_the_customer_login(agent) -> None:
    user = f.customer_with_contact("me@example.com")
    target = _contact(agent, "me@work.example")
    services.contacts_merge(actor=Actor.of(agent), source=user.contact, target=target)
    user.refresh_from_db()
    assert user.contact.pk == target.pk


def test_merge_refuses_self_and_merged_contacts(agent) -> None:
    a = _contact(agent, "a@example.com")
    b = _contact(agent, "b@example.com")
    c = _contact(agent, "c@example.com")
    with pytest.raises(ValidationError):
        services.contacts_merge(actor=Actor.of(agent), source=a, target=a)
    services.contacts_merge(actor=Actor.of(agent), source=a, target=b)
    with pytest.raises(ValidationError):
        services.contacts_merge(actor=Actor.of(agent), source=c, target=a)
    with pytest.raises(ValidationError):
        services.contacts_merge(actor=Actor.of(agent), source=a, target=c)
    assert len(events("contact.merged")) == 1


def test_nothing_new_attaches_to_a_merged_contact(agent) -> None:
    source = _contact(agent, "gone@example.com")
    target = _contact(agent, "kept@example.com")
    services.contacts_merge(actor=Actor.of(agent), source=source, target=target)
    source.refresh_from_db()
    with pytest.raises(ValidationError):
        services.purchase_record(
            actor=SYSTEM,
            contact=source,
            product="P",
            amount="1",
            currency="EUR",
            purchased_at="2026-01-01",
        )
    with pytest.raises(ValidationError):
        services.identity_add(actor=Actor.of(agent), contact=source, kind="email", value="new@example.com")
    # the source's old address now finds the target
    found = services.contact_for_identity(actor=SYSTEM, kind="email", value="gone@example.com")
    assert found.pk == target.pk
