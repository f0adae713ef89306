"""The properties panel of the ticket page: one entry per field, each saved on its own.

Every field carries the value the agent saw when the page was drawn (``seen_<name>``, JSON, in the
types ``views_ticket_forms.property_changes`` produces): the server applies a field only when its
value differs from what was seen, and refuses it when someone else changed it since
(tickets/services/conflicts.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from frontdesk.fields.models import FieldType
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services.conflicts import StaleField
from frontdesk.workspace.views_ticket_forms import CF_MARKER, CF_PREFIX, local_input


def _cf_form_value(kind: str, value: Any) -> Any:
    """A stored custom field value as the form posts it back unchanged."""
    if kind == FieldType.CHECKBOX:
        return bool(value)
    if kind == FieldType.MULTISELECT:
        return list(value or [])
    return None if value in (None, "") else str(value)


def seen_values(ticket: Ticket, follower_ids: set[int], defs: dict[str, Any]) -> dict[str, Any]:
    """What the agent sees now, by input name."""
    seen: dict[str, Any] = {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "team": ticket.team_id,
        "assignee": ticket.assignee_id,
        "tags": sorted(t.name for t in ticket.tags.all()),
        "due_at": local_input(ticket.due_at) or None,
        "followers": sorted(follower_ids),
    }
    for key, d in defs.items():
        seen[CF_PREFIX + key] = _cf_form_value(d.type, ticket.custom_fields.get(key))
    return seen


def input_name(field: str) -> str:
    """The page's input name of a ticket_update field ("custom_fields.plan" -> "cf_plan")."""
    return CF_PREFIX + field.split(".", 1)[1] if field.startswith("custom_fields.") else field


def conflict_seen(stale: StaleField, defs: dict[str, Any]) -> Any:
    """After a conflict the agent has seen the other person's value: it becomes their seen value,
    so "Apply mine" goes through (unless the field changes yet again)."""
    if stale.field == "due_at":
        return local_input(datetime.fromisoformat(stale.current)) if stale.current else None
    if stale.field.startswith("custom_fields."):
        d = defs.get(stale.field.split(".", 1)[1])
        return _cf_form_value(d.type, stale.current) if d is not None else stale.current
    return stale.current


def _choices(pairs: Any, selected: Any) -> list[dict[str, Any]]:
    return [{"value": str(v), "label": str(label), "selected": str(v) == str(selected)} for v, label in pairs]


def props_context(context: dict[str, Any], user: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The panel's fields for the template. ``state``: ``seen`` (overrides by input name),
    ``conflicts`` (input name -> StaleField), ``saved`` (input name), ``only`` (one input name)."""
    ticket: Ticket = context["ticket"]
    errors: dict[str, str] = context["props_errors"]
    current: dict[str, Any] = context["current"]
    conflicts: dict[str, StaleField] = state.get("conflicts") or {}
    seen = {**context["seen"], **(state.get("seen") or {})}
    saved = state.get("saved")
    only = state.get("only")
    assignee_ids = {u.pk for u in context["assignees"]}
    # the assignee list holds the agents who may be assigned (active full agents, of the team if any)
    may_assign_me = user.pk in assignee_ids and ticket.assignee_id != user.pk

    fields: list[dict[str, Any]] = []

    def add(name: str, label: Any, kind: str, **extra: Any) -> None:
        if only and only != name:
            return
        pid = extra.pop("id", f"prop-{name}")
        describe = [x for x in (extra.get("hint_id"), extra.get("desc_id")) if x]
        if errors.get(name) or name in conflicts:
            describe.append(f"{pid}-error")
        fields.append({
            "name": name, "label": label, "kind": kind, "id": pid,
            "error": errors.get(name), "conflict": conflicts.get(name), "saved": saved == name,
            "seen": json.dumps(seen.get(name)), "describedby": " ".join(describe), **extra,
        })

    add("status", _("Status"), "select",
        options=_choices(((s.key, s.label) for s in context["statuses"]), current["status"]))
    add("priority", _("Priority"), "select", options=_choices(context["priorities"], current["priority"]))
    add("type", _("Type"), "select", options=_choices(context["types"], current["type"]))
    add("team", _("Team"), "select",
        options=_choices([("", _("No team")), *((t.pk, t.name) for t in context["teams"])], current["team"]))
    add("assignee", _("Assignee"), "select",
        options=_choices([("", _("Unassigned")), *((u.pk, str(u)) for u in context["assignees"])],
                         current["assignee"]),
        hint=_("Agents of the ticket's team.") if ticket.team_id else _("All agents."), hint_id="assignee-hint",
        assign_me=user.pk if may_assign_me else None)
    add("tags", _("Tags"), "text", value=current["tags"], hint=_("Separate tags with commas."), hint_id="tags-hint")
    add("due_at", _("Due date"), "datetime-local", id="prop-due", value=current["due_at"])
    add("followers", _("Followers"), "tokens", marker=("followers_present", "1"),
        options=[{"value": str(u.pk), "label": str(u), "selected": str(u.pk) in current["followers"]}
                 for u in context["followers"]])
    for i, f in enumerate(context["custom_inputs"]):
        d = f["def"]
        kind = {FieldType.CHECKBOX: "checkbox", FieldType.DROPDOWN: "select", FieldType.MULTISELECT: "multiselect",
                FieldType.DATE: "date", FieldType.NUMBER: "number"}.get(d.type, "text")
        options: list[dict[str, Any]] = []
        if kind == "select":
            options = [{"value": "", "label": "—", "selected": not f["str_value"]}] + [
                {"value": str(o), "label": str(o), "selected": str(o) == f["str_value"]} for o in d.options]
        elif kind == "multiselect":
            options = [{"value": str(o), "label": str(o), "selected": o in (f["value"] or [])} for o in d.options]
        add(f["name"], d.label, kind, id=f["id"], value=f["str_value"], checked=bool(f["value"]), options=options,
            marker=(CF_MARKER, d.key), custom=True, required=d.required, description=d.description,
            desc_id=f"{f['id']}-desc" if d.description else None, first_custom=i == 0)
    return {"props": fields, "props_only": only, "may_assign_me": may_assign_me,
            "assign_me_seen": json.dumps(seen.get("assignee")),
            # for other forms that change a property (the header's subject): seen_<name> values
            "seen_json": {name: json.dumps(value) for name, value in seen.items()}}
