"""Parsing the ticket page's forms into the arguments of the ticket services (no rules here:
the services validate; these only turn form strings into the types the services take)."""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdesk.core.errors import FrontdeskError, ValidationError
from frontdesk.core.ids import MAX_ID
from frontdesk.fields.models import CustomField, FieldType

CF_PREFIX = "cf_"
CF_MARKER = "custom_fields_present"
SEEN_PREFIX = "seen_"
_MISSING = object()


def _id(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("Please check the form."), fields={name: _("not a valid choice")}) from None
    if not 1 <= value <= MAX_ID:
        raise ValidationError(_("Please check the form."), fields={name: _("not a valid choice")})
    return value


def optional_id(name: str, raw: str | None) -> int | None:
    return None if raw in (None, "") else _id(name, raw)


def ticket_number(raw: str | None, name: str = "target") -> int:
    if not raw or not raw.strip():
        raise ValidationError(_("Give a ticket number."), fields={name: _("required")})
    return _id(name, raw.strip().lstrip("#"))


def custom_field_value(definition: CustomField, data: QueryDict) -> Any:
    name = CF_PREFIX + definition.key
    if definition.type == FieldType.CHECKBOX:
        return data.get(name) in ("on", "true", "1")
    if definition.type == FieldType.MULTISELECT:
        return [v for v in data.getlist(name) if v]
    raw = str(data.get(name, ""))
    if definition.type == FieldType.TEXT:
        return raw if raw.strip() else None
    return raw.strip() or None  # number, date, dropdown: the service checks the value


def property_changes(data: QueryDict, definitions: dict[str, CustomField]) -> dict[str, Any]:
    """The ticket_update arguments for the fields present in the form."""
    changes: dict[str, Any] = {}

    def text(key: str) -> str:
        return str(data.get(key, ""))

    for key in ("subject", "status", "type"):
        if key in data:
            changes[key] = text(key)
    if "priority" in data:
        raw = text("priority")
        changes["priority"] = int(raw) if raw.isdigit() and len(raw) < 3 else raw
    if "team" in data:
        changes["team"] = optional_id("team", text("team"))
    if "assignee" in data:
        changes["assignee"] = optional_id("assignee", text("assignee"))
    if "tags" in data:
        changes["tags"] = [t.strip() for t in text("tags").split(",") if t.strip()]
    if "followers_present" in data:
        changes["followers"] = [_id("followers", str(v)) for v in data.getlist("followers") if v]
    if "due_at" in data:
        changes["due_at"] = text("due_at").strip() or None
    if CF_MARKER in data:
        # the properties panel names each custom field it sends ("1": every field, older forms)
        keys = data.getlist(CF_MARKER)
        chosen = definitions if "1" in keys else {k: d for k, d in definitions.items() if k in keys}
        changes["custom_fields"] = {key: custom_field_value(d, data) for key, d in chosen.items()}
    return changes


def seen_values(data: QueryDict, changes: dict[str, Any]) -> dict[str, Any]:
    """ticket_update's ``expected``: for each field in ``changes``, the value the agent saw when the
    page was drawn (``seen_<input name>``, JSON); fields without one are applied as they are."""
    expected: dict[str, Any] = {}

    def seen(name: str) -> Any:
        raw = data.get(SEEN_PREFIX + name)
        if raw is None:
            return _MISSING
        try:
            return json.loads(raw)
        except ValueError:
            raise ValidationError(
                _("The page is out of date: reload it."), fields={name: _("reload the page")}
            ) from None

    for key in changes:
        if key != "custom_fields" and (value := seen(key)) is not _MISSING:
            expected[key] = value
    cf = {k: v for k in changes.get("custom_fields", {}) if (v := seen(CF_PREFIX + k)) is not _MISSING}
    if cf:
        expected["custom_fields"] = cf
    return expected


def drop_fields(changes: dict[str, Any], names: list[str]) -> None:
    """Forget the changes to the page's inputs ``names`` ("Keep theirs" after a conflict)."""
    for name in names:
        if name.startswith(CF_PREFIX):
            changes.get("custom_fields", {}).pop(name[len(CF_PREFIX):], None)
            if changes.get("custom_fields") == {}:
                del changes["custom_fields"]
        else:
            changes.pop(name, None)


def field_errors(exc: FrontdeskError) -> dict[str, str]:
    """Service error fields mapped to the page's input names (custom_fields.x -> cf_x)."""
    out: dict[str, str] = {}
    for key, problem in (exc.fields or {}).items():
        name = CF_PREFIX + key.split(".", 1)[1] if key.startswith("custom_fields.") else key
        out[name] = str(problem)
    return out


def local_input(value: Any) -> str:
    """A datetime as a datetime-local input value in the viewer's time zone."""
    if not value:
        return ""
    return str(timezone.localtime(value).strftime("%Y-%m-%dT%H:%M"))
