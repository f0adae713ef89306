"""Purchases, and the contact's counters they keep (lifetime value, purchase count).

``lifetime_value`` sums the contact's *paid* purchases; ``purchase_count`` counts all of
its purchase rows whatever their status. Both are changed with F() expressions in the
writer's transaction, so no reader ever sums the purchases table.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from frontdesk.accounts.acting import acting_user
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record
from frontdesk.customers.events import PurchaseRecorded, PurchaseUpdated
from frontdesk.customers.models import Contact, Purchase, PurchaseStatus
from frontdesk.customers.services._common import check_text, refuse_merged, require_editor

MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


def parse_amount(value: Any) -> Decimal:
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
        # floats are refused: 0.1 + 0.2 is how money gets lost
        raise ValueError("a decimal number like 19.99 (as text)")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("a decimal number like 19.99") from None
    if not amount.is_finite():
        raise ValueError("a decimal number like 19.99")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("at most 2 decimal places")
    if amount > MAX_AMOUNT:
        raise ValueError(f"at most {MAX_AMOUNT}")
    return amount.quantize(Decimal("0.01"))


def parse_moment(value: Any) -> datetime:
    """A datetime (naive means UTC) or a date (midnight UTC); strings in ISO 8601."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
        except ValueError:
            raise ValueError("an ISO date or date-time like 2026-01-31 or 2026-01-31T09:30:00Z") from None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=UTC)
    raise ValueError("an ISO date or date-time like 2026-01-31")


def clean_purchase(
    product: Any, sku: Any, amount: Any, currency: Any, purchased_at: Any, status: Any, external_id: Any
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    check_text(errors, "product", product, 200)
    if "product" not in errors and not product.strip():
        errors["product"] = "required"
    check_text(errors, "sku", sku, 100)
    try:
        data["amount"] = parse_amount(amount)
    except ValueError as exc:
        errors["amount"] = str(exc)
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency.strip().upper()):
        errors["currency"] = "a three-letter ISO 4217 code like EUR"
    try:
        data["purchased_at"] = parse_moment(purchased_at)
    except ValueError as exc:
        errors["purchased_at"] = str(exc)
    if status not in PurchaseStatus.values:
        errors["status"] = f"must be one of {', '.join(PurchaseStatus.values)}"
    if external_id is not None:
        check_text(errors, "external_id", external_id, 100)
    if errors:
        raise ValidationError("The purchase is not valid.", fields=errors)
    data.update(
        product=product.strip(),
        sku=sku.strip(),
        currency=currency.strip().upper(),
        status=status,
    )
    return data


def _value(status: str, amount: Decimal) -> Decimal:
    return amount if status == PurchaseStatus.PAID else Decimal("0")


def _bump(contact: Contact, *, value: Decimal, count: int) -> None:
    if value or count:
        Contact.objects.filter(pk=contact.pk).update(
            lifetime_value=F("lifetime_value") + value, purchase_count=F("purchase_count") + count
        )
        contact.refresh_from_db(fields=["lifetime_value", "purchase_count"])


def purchase_record(
    *,
    actor: Actor,
    contact: Contact,
    product: str,
    sku: str = "",
    amount: Any,
    currency: str,
    purchased_at: Any,
    status: str = PurchaseStatus.PAID,
    external_id: str | None = None,
) -> Purchase:
    """Record a purchase. With an ``external_id`` it is idempotent: recording the same id
    again updates that row (a refund, a corrected amount) instead of adding another."""
    by = acting_user(actor)
    require_editor(by)
    if isinstance(external_id, str):
        external_id = external_id.strip() or None
    data = clean_purchase(product, sku, amount, currency, purchased_at, status, external_id)
    refuse_merged(contact)
    with transaction.atomic():
        existing = None
        if external_id is not None:
            existing = Purchase.objects.select_for_update().filter(external_id=external_id).first()
        if existing is None:
            try:
                with transaction.atomic():
                    purchase = Purchase.objects.create(contact=contact, external_id=external_id, **data)
            except IntegrityError:  # a concurrent writer recorded the same external_id
                existing = Purchase.objects.select_for_update().filter(external_id=external_id).first()
                if existing is None:
                    raise
            else:
                _bump(contact, value=_value(purchase.status, purchase.amount), count=1)
                record(
                    PurchaseRecorded(
                        purchase_id=purchase.pk,
                        contact_id=contact.pk,
                        amount=str(purchase.amount),
                        currency=purchase.currency,
                    ),
                    actor=actor,
                )
                return purchase
        return _update(actor=actor, purchase=existing, contact=contact, data=data)


def _update(*, actor: Actor, purchase: Purchase, contact: Contact, data: dict[str, Any]) -> Purchase:
    if purchase.contact_id != contact.pk:
        raise Conflict(
            "This external_id belongs to a purchase of another contact.",
            fields={"external_id": "already used by another contact's purchase"},
        )
    before = _value(purchase.status, purchase.amount)
    changes = {
        k: [
            str(getattr(purchase, k)) if isinstance(v, (Decimal, datetime)) else getattr(purchase, k),
            str(v) if isinstance(v, (Decimal, datetime)) else v,
        ]
        for k, v in data.items()
        if getattr(purchase, k) != v
    }
    if not changes:
        return purchase
    for k, v in data.items():
        setattr(purchase, k, v)
    purchase.save(update_fields=list(data))
    _bump(contact, value=_value(purchase.status, purchase.amount) - before, count=0)
    record(PurchaseUpdated(purchase_id=purchase.pk, contact_id=contact.pk, changes=changes), actor=actor)
    return purchase
