"""Custom field definitions, the validation of their values, and tags."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from frontdesk.accounts import policies
from frontdesk.accounts.acting import acting_person
from frontdesk.core.actor import Actor
from frontdesk.core.cache import forget, remembered
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record
from frontdesk.fields.events import CustomFieldSaved
from frontdesk.fields.models import AppliesTo, CustomField, FieldType, Tag

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_TAG = re.compile(r"^[\w][\w\-.:/]{0,59}$", re.UNICODE)
MAX_TEXT = 10_000


def definitions(applies_to: str) -> dict[str, CustomField]:
    """The active definitions for one kind of object (cached; custom_field_save forgets them)."""
    return remembered(
        f"fields:{applies_to}",
        lambda: {f.key: f for f in CustomField.objects.filter(applies_to=applies_to, active=True)},
    )


def _coerce(field: CustomField, value: Any) -> Any:
    t = field.type
    if value is None:
        return None
    if t == FieldType.TEXT:
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value) > MAX_TEXT:
            raise ValueError(f"must be at most {MAX_TEXT} characters")
        return value
    if t == FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not number.is_finite() or abs(number) > Decimal("1e15"):
            raise ValueError("must be a finite number below 10^15")
        return int(number) if number == number.to_integral_value() else float(number)
    if t == FieldType.CHECKBOX:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if t == FieldType.DATE:
        if not isinstance(value, str):
            raise ValueError("must be a date like 2026-01-31")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError("must be a date like 2026-01-31") from None
    if t == FieldType.DROPDOWN:
        if value not in field.options:
            raise ValueError(f"must be one of: {', '.join(map(str, field.options))}")
        return value
    if t == FieldType.MULTISELECT:
        if not isinstance(value, list) or any(v not in field.options for v in value):
            raise ValueError(f"must be a list of: {', '.join(map(str, field.options))}")
        return sorted(set(value), key=field.options.index)
    raise ValueError("unknown field type")


def validate_values(
    applies_to: str, values: dict[str, Any], *, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Merge ``values`` into ``current`` after checking every value against its definition.

    Unknown keys, wrong types and missing required fields raise ValidationError with
    one message per field. ``None`` clears a value.
    """
    if not isinstance(values, dict):
        raise ValidationError(
            "custom_fields must be an object.", fields={"custom_fields": "must be an object"}
        )
    defs = definitions(applies_to)
    result = dict(current or {})
    errors: dict[str, str] = {}
    for key, value in values.items():
        field = defs.get(key)
        if field is None:
            errors[f"custom_fields.{key}"] = "unknown custom field"
            continue
        try:
            cleaned = _coerce(field, value)
        except ValueError as exc:
            errors[f"custom_fields.{key}"] = str(exc)
            continue
        if cleaned is None or cleaned == [] or cleaned == "":
            result.pop(key, None)
        else:
            result[key] = cleaned
    for key, field in defs.items():
        if field.required and key not in result and f"custom_fields.{key}" not in errors:
            errors[f"custom_fields.{key}"] = "required"
    if errors:
        raise ValidationError("Some custom field values are not valid.", fields=errors)
    return result


def custom_field_save(
    *, actor: Actor, field: CustomField | None = None, **data: Any
) -> CustomField:
    by = acting_person(actor)
    policies.require_admin(by)
    allowed = {
        "applies_to",
        "key",
        "label",
        "type",
        "options",
        "required",
        "active",
        "position",
        "description",
    }
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError("Unknown fields.", fields={f: "unknown field" for f in unknown})
    errors: dict[str, str] = {}
    if field is not None and ({"key", "type", "applies_to"} & set(data)):
        for k in {"key", "type", "applies_to"} & set(data):
            if data[k] != getattr(field, k):
                errors[k] = "cannot change after creation"
    merged = {**({} if field is None else {k: getattr(field, k) for k in allowed}), **data}
    if not _KEY.match(str(merged.get("key") or "")):
        errors["key"] = "lower-case letters, digits and underscores, starting with a letter"
    if merged.get("type") not in FieldType.values:
        errors["type"] = f"must be one of {', '.join(FieldType.values)}"
    if merged.get("applies_to", AppliesTo.TICKET) not in AppliesTo.values:
        errors["applies_to"] = f"must be one of {', '.join(AppliesTo.values)}"
    if not str(merged.get("label") or "").strip():
        errors["label"] = "required"
    options = merged.get("options") or []
    if merged.get("type") in (FieldType.DROPDOWN, FieldType.MULTISELECT):
        if not isinstance(options, list) or not options or not all(isinstance(o, str) and o for o in options):
            errors["options"] = "a non-empty list of text choices"
        elif len(set(options)) != len(options):
            errors["options"] = "choices must be unique"
    elif options:
        errors["options"] = "only dropdown and multi-select fields have choices"
    if errors:
        raise ValidationError("The custom field is not valid.", fields=errors)
    with transaction.atomic():
        obj = field or CustomField()
        changes = {k: v for k, v in data.items() if getattr(obj, k, None) != v}
        for k, v in data.items():
            setattr(obj, k, v)
        if CustomField.objects.filter(applies_to=obj.applies_to, key=obj.key).exclude(pk=obj.pk).exists():
            raise Conflict("A custom field with this key exists.", fields={"key": "already in use"})
        obj.save()
        forget(f"fields:{obj.applies_to}")
        record(CustomFieldSaved(field_id=obj.pk, changes=changes), actor=actor)
    return obj


def normalise_tags(names: list[str]) -> list[str]:
    if not isinstance(names, list):
        raise ValidationError("tags must be a list.", fields={"tags": "must be a list of names"})
    cleaned: list[str] = []
    for raw in names:
        if not isinstance(raw, str):
            raise ValidationError("Tags must be text.", fields={"tags": "must be a list of names"})
        name = raw.strip().lower().replace(" ", "-")
        if not _TAG.match(name):
            raise ValidationError(
                f"{raw!r} is not a valid tag.", fields={"tags": "letters, digits, - _ . : /"}
            )
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def tags_ensure(names: list[str]) -> list[Tag]:
    """The Tag rows for these names, creating the missing ones (inside the caller's transaction)."""
    names = normalise_tags(names)
    if not names:
        return []
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [existing[n] for n in names]
