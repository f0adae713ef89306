"""Custom ticket statuses. Each belongs to one of the six categories the product reasons about."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from frontdesk.accounts import policies
from frontdesk.accounts.acting import acting_person
from frontdesk.core.actor import Actor
from frontdesk.core.cache import forget
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record
from frontdesk.tickets.events import TicketStatusSaved
from frontdesk.tickets.models import StatusCategory, TicketStatus
from frontdesk.tickets.selectors import STATUSES_KEY

_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def status_save(
    *,
    actor: Actor,
    status: TicketStatus | None = None,
    key: str | None = None,
    label: str | None = None,
    category: str | None = None,
    position: int | None = None,
    active: bool | None = None,
) -> TicketStatus:
    """Create (``status=None``) or change a status; arguments left as None keep their value.
    Built-in statuses keep their key and category and stay active."""
    by = acting_person(actor)
    policies.require_admin(by)
    data = {
        k: v
        for k, v in {
            "key": key,
            "label": label,
            "category": category,
            "position": position,
            "active": active,
        }.items()
        if v is not None
    }
    errors: dict[str, str] = {}
    if status is None:
        for required in ("key", "label", "category"):
            if required not in data:
                errors[required] = "required"
    else:
        if "key" in data and data["key"] != status.key:
            errors["key"] = "cannot change after creation (tickets refer to it)"
        if status.builtin and "category" in data and data["category"] != status.category:
            errors["category"] = "built-in statuses keep their category"
        if status.builtin and data.get("active") is False:
            errors["active"] = "built-in statuses cannot be deactivated"
    if "key" in data and not (isinstance(data["key"], str) and _KEY.match(data["key"])):
        errors["key"] = "lower-case letters, digits, - and _, starting with a letter (at most 40)"
    if "label" in data and not (
        isinstance(data["label"], str) and data["label"].strip() and len(data["label"]) <= 60
    ):
        errors["label"] = "1 to 60 characters"
    if "category" in data and data["category"] not in StatusCategory.values:
        errors["category"] = f"one of {', '.join(StatusCategory.values)}"
    if "position" in data and not (isinstance(data["position"], int) and 0 <= data["position"] < 2**31):
        errors["position"] = "a non-negative number"
    if errors:
        raise ValidationError("The status is not valid.", fields=errors)
    with transaction.atomic():
        obj = TicketStatus() if status is None else TicketStatus.objects.select_for_update().get(pk=status.pk)
        changes: dict[str, Any] = {}
        for field, value in data.items():
            if getattr(obj, field) != value or obj.pk is None:
                changes[field] = [getattr(obj, field) if obj.pk else None, value]
                setattr(obj, field, value)
        if "key" in changes and TicketStatus.objects.filter(key=obj.key).exclude(pk=obj.pk).exists():
            raise Conflict("A status with this key exists.", fields={"key": "already in use"})
        if changes:
            obj.save()
            forget(STATUSES_KEY)  # the cached list pages label statuses with
            record(TicketStatusSaved(status_id=obj.pk, changes=changes), actor=actor)
    return obj
