from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.customers import services
from frontdesk.customers.models import Purchase
from frontdesk.customers.tests.factories import SYSTEM, events
from frontdesk.testing import factories as f


def _buy(contact, **kw):  # type: ignore[no-untyped-def]
    data = {"product": "Widget", "amount": "10.00", "currency": "EUR", "purchased_at": "2026-01-05"}
    data.update(kw)
    return services.purchase_record(actor=SYSTEM, contact=contact, **data)


def test_counters_follow_paid_purchases(db) -> None:
    contact = f.ContactFactory()
    p = _buy(contact, amount="19.99")
    _buy(contact, amount=Decimal("5.01"), currency="usd")
    _buy(contact, amount="100", status="refunded")
    contact.refresh_from_db()
    assert contact.lifetime_value == Decimal("25.00")
    assert contact.purchase_count == 3  # every purchase row counts; only paid ones add value
    assert p.purchased_at == datetime(2026, 1, 5, tzinfo=UTC)
    assert Purchase.objects.get(amount="5.01").currency == "USD"
    assert events("purchase.recorded")[0] == {
        "purchase_id": p.pk,
        "contact_id": contact.pk,
        "amount": "19.99",
        "currency": "EUR",
    }


def test_external_id_is_idempotent_and_refunds_adjust_the_counters(db) -> None:
    contact = f.ContactFactory()
    first = _buy(contact, external_id="order-1", amount="40.00")
    again = _buy(contact, external_id="order-1", amount="40.00")
    assert again.pk == first.pk
    assert Purchase.objects.count() == 1
    assert len(events("purchase.updated")) == 0  # nothing changed
    refunded = _buy(contact, external_id="order-1", amount="40.00", status="refunded")
    assert refunded.pk == first.pk
    contact.refresh_from_db()
    assert (contact.lifetime_value, contact.purchase_count) == (Decimal("0.00"), 1)
    assert events("purchase.updated")[0]["changes"] == {"status": ["paid", "refunded"]}
    other = f.ContactFactory()
    with pytest.raises(Conflict):
        _buy(other, external_id="order-1")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "1e12"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "E1R"}, "currency"),
        ({"status": "stolen"}, "status"),
        ({"purchased_at": "yesterday"}, "purchased_at"),
        ({"product": "  "}, "product"),
    ],
)
def test_invalid_purchases_are_refused(db, kw, field) -> None:
    contact = f.ContactFactory()
    with pytest.raises(ValidationError) as exc:
        _buy(contact, **kw)
    assert field in exc.value.fields
    contact.refresh_from_db()
    assert contact.purchase_count == 0


def test_agents_record_purchases_light_agents_do_not(agent, light_agent) -> None:
    from frontdesk.core.errors import PermissionDenied

    contact = f.ContactFactory()
    services.purchase_record(
        actor=Actor.of(agent),
        contact=contact,
        product="X",
        amount="1",
        currency="EUR",
        purchased_at="2026-01-01T10:00:00+02:00",
    )
    with pytest.raises(PermissionDenied):
        services.purchase_record(
            actor=Actor.of(light_agent),
            contact=contact,
            product="X",
            amount="1",
            currency="EUR",
            purchased_at="2026-01-01",
        )
