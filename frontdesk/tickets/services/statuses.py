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


def status_create(
    *,
    actor: Actor,
    key: str,
    label: str,
    category: str,
    position: int | None = None,
    active: bool | None = None,
) -> TicketStatus:
    """Add a status (admins only). Its ``key`` never changes (tickets refer to it); ``position``
    and ``active`` left as None take their defaults (0, active)."""
    policies.require_admin(acting_person(actor))
    data = _given(key=key, label=label, category=category, position=position, active=active)
    errors = {required: "required" for required in ("key", "label", "category") if required not in data}
    _check(data, errors)
    with transaction.atomic():
        return _apply(actor, TicketStatus(), data)


def status_update(
    *,
    actor: Actor,
    status: TicketStatus,
    label: str | None = None,
    category: str | None = None,
    position: int | None = None,
    active: bool | None = None,
) -> TicketStatus:
    """Change a status (admins only); arguments left as None keep their value. Built-in statuses
    keep their category and stay active."""
    policies.require_admin(acting_person(actor))
    data = _given(label=label, category=category, position=position, active=active)
    errors: dict[str, str] = {}
    if status.builtin and "category" in data and data["category"] != status.category:
        errors["category"] = "built-in statuses keep their category"
    if status.builtin and data.get("active") is False:
        errors["active"] = "built-in statuses cannot be deactivated"
    _check(data, errors)
    with transaction.atomic():
        return _apply(actor, TicketStatus.objects.select_for_update().get(pk=status.pk), data)


def _given(**values: Any) -> dict[str, Any]:
    """The arguments given (not None)."""
    return {k: v for k, v in values.items() if v is not None}


def _check(data: dict[str, Any], errors: dict[str, str]) -> None:
    """Add the errors of the values given to ``errors``; raise them all, if any."""
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


def _apply(actor: Actor, obj: TicketStatus, data: dict[str, Any]) -> TicketStatus:
    """Set ``data`` on ``obj`` (new, or locked for update) and save and record what changed."""
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
