"""What the ticket page's properties panel posts: one field at a time (props.js), or the whole form
without JavaScript. Either way each field carries the value the agent saw: unchanged fields are not
written, and a field someone else changed since is refused with both values (FieldConflict)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.fields.services import definitions
from frontdesk.tickets import selectors, services
from frontdesk.tickets.services.conflicts import FieldConflict
from frontdesk.workspace.access import actor, agent_required, is_htmx, viewer
from frontdesk.workspace.ticket_props import conflict_seen, input_name
from frontdesk.workspace.views_ticket import ticket_context
from frontdesk.workspace.views_ticket_actions import back
from frontdesk.workspace.views_ticket_forms import (
    SEEN_PREFIX,
    drop_fields,
    field_errors,
    property_changes,
    seen_values,
)

FIELD = "_field"  # props.js: the one input saved; the answer is that field's fragment


def _posted_seen(data: Any) -> dict[str, Any]:
    """What the agent saw, as posted (kept when the save fails, so a retry is checked the same way)."""
    out: dict[str, Any] = {}
    for key in data:
        if key.startswith(SEEN_PREFIX):
            try:
                out[key[len(SEEN_PREFIX):]] = json.loads(data[key])
            except ValueError:
                continue
    return out


@agent_required
@require_POST
def ticket_update(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Change properties; answers the field (props.js), the sidebar (HTMX) or the page."""
    by = viewer(request)
    data = request.POST
    field = data.get(FIELD) or None
    defs = definitions("ticket")
    state: dict[str, Any] = {"only": field}
    try:
        changes = property_changes(data, defs)
        if "assign_me" in data:
            changes["assignee"] = by.pk
        drop_fields(changes, data.getlist("keep_theirs"))
        expected = seen_values(data, changes)
        ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
        services.ticket_update(actor=actor(request), ticket=ticket, expected=expected, **changes)
    except FieldConflict as exc:
        state["seen"] = _posted_seen(data)
        state["conflicts"] = {input_name(s.field): s for s in exc.stale}
        state["seen"].update({input_name(s.field): conflict_seen(s, defs) for s in exc.stale})
        return _failed(request, ticket_id, exc, state, field)
    except (ValidationError, Conflict) as exc:
        state["seen"] = _posted_seen(data)
        return _failed(request, ticket_id, exc, state, field)
    if field:
        state["saved"] = field
        context = ticket_context(request, ticket_id, props_state=state)
        context["props_changed"] = True
        return render(request, "workspace/ticket/_prop_response.html", context)
    if is_htmx(request):
        context = ticket_context(request, ticket_id)
        context["props_saved"] = True
        return render(request, "workspace/ticket/_update_response.html", context)
    messages.success(request, _("Ticket updated."))
    return back(request, ticket_id)


def _failed(request: HttpRequest, ticket_id: int, exc: ValidationError | Conflict, state: dict[str, Any],
            field: str | None) -> HttpResponse:
    """The form again, with what was typed, the error next to its field and, for a conflict, both values."""
    errors = field_errors(exc)
    conflicts = state.get("conflicts") or {}
    for name in conflicts:
        errors.pop(name, None)  # the conflict box says it, with the way out
    if field and field not in errors and field not in conflicts:
        errors[field] = exc.message  # an error about another field (a required one left empty) or the ticket
    context = ticket_context(request, ticket_id, props_errors=errors, props_posted=request.POST, props_state=state)
    if field:
        return render(request, "workspace/ticket/_prop_response.html", context, status=exc.status)
    if not conflicts:
        context["props_message"] = exc.message
    if is_htmx(request):
        return render(request, "workspace/ticket/_props.html", context)
    return render(request, "workspace/ticket/page.html", context, status=exc.status)
