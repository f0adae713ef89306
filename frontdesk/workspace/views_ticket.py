"""The ticket page: conversation timeline, editable properties, composer, actions, customer 360."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frontdesk.accounts.models import FULL_AGENT_ROLES
from frontdesk.accounts.selectors import team_list, team_member_ids, user_list
from frontdesk.core.errors import NotFound, ValidationError
from frontdesk.fields.models import FieldType
from frontdesk.fields.services import definitions
from frontdesk.notifications.services import mark_ticket_read
from frontdesk.tickets import channel_page, policies, queue_selectors, selectors
from frontdesk.tickets.contact360 import contact_360, contact_card
from frontdesk.tickets.models import LinkKind, Priority, StatusCategory, Ticket, TicketType
from frontdesk.tickets.panels import panels_for
from frontdesk.tickets.services.links import USER_KINDS
from frontdesk.workspace.access import agent_required, viewer
from frontdesk.workspace.composer import composer_state
from frontdesk.workspace.ticket_props import props_context, seen_values
from frontdesk.workspace.views_ticket_forms import CF_PREFIX, local_input
from frontdesk.workspace.views_ticket_timeline import audit_lines, fold, names_for, user_ids_in

RECENT_ELSEWHERE = 8


def ticket_url(ticket_id: int, view_id: Any = None) -> str:
    url = reverse("workspace:ticket", args=[ticket_id])
    return f"{url}?view={view_id}" if view_id else url


def view_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("view") or request.POST.get("view") or ""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _custom_inputs(ticket: Ticket, defs: dict[str, Any], posted: Any, errors: dict[str, str]) -> list[dict]:
    inputs = []
    for key, d in sorted(defs.items(), key=lambda kv: (kv[1].position, kv[1].pk)):
        name = CF_PREFIX + key
        if posted is not None:
            value: Any = posted.getlist(name) if d.type == FieldType.MULTISELECT else posted.get(name, "")
            if d.type == FieldType.CHECKBOX:
                value = value in ("on", "true", "1")
        else:
            value = ticket.custom_fields.get(key)
            if d.type == FieldType.MULTISELECT:
                value = value or []
            elif value is None:
                value = "" if d.type != FieldType.CHECKBOX else False
        inputs.append({"def": d, "name": name, "id": f"field-{name}", "value": value,
                       "str_value": str(value) if value is not None else "",
                       "error": errors.get(name), "type": d.type})
    return inputs


_LINK_LABELS: dict[tuple[str, str], Any] = {
    ("out", LinkKind.RELATED): _("Related to"),
    ("in", LinkKind.RELATED): _("Related to"),
    ("out", LinkKind.INCIDENT_OF): _("Incident of problem"),
    ("in", LinkKind.INCIDENT_OF): _("Incident"),
    ("out", LinkKind.FOLLOW_UP_OF): _("Follow-up of"),
    ("in", LinkKind.FOLLOW_UP_OF): _("Followed up by"),
    ("out", LinkKind.MERGED_INTO): _("Merged into"),
    ("in", LinkKind.MERGED_INTO): _("Merged from"),
    ("out", LinkKind.SPLIT_FROM): _("Split from"),
    ("in", LinkKind.SPLIT_FROM): _("Split into"),
}


def _links(user: Any, ticket: Ticket) -> list[dict[str, Any]]:
    return [
        {"label": _LINK_LABELS.get((direction, link.kind), link.kind), "ticket": other, "kind": link.kind}
        for direction, link, other in selectors.link_list(viewer=user, ticket=ticket)
    ]


def _current(ticket: Ticket, follower_ids: set[int], posted: Any) -> dict[str, Any]:
    """The values the properties form shows: the ticket's, or what was posted when it failed."""
    current: dict[str, Any] = {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": str(ticket.priority),
        "type": ticket.type,
        "team": str(ticket.team_id or ""),
        "assignee": str(ticket.assignee_id or ""),
        "tags": ", ".join(t.name for t in ticket.tags.all()),
        "due_at": local_input(ticket.due_at),
        "followers": {str(i) for i in follower_ids},
    }
    if posted is not None:
        for key in current:
            if key == "followers":
                if "followers_present" in posted:
                    current[key] = set(posted.getlist("followers"))
            elif key in posted:
                current[key] = posted[key]
    return current


def _next_ticket(request: HttpRequest, ticket: Ticket) -> tuple[int | None, Ticket | None]:
    view_id = view_param(request)
    if view_id is None:
        return None, None
    try:
        view = queue_selectors.view_get(viewer=viewer(request), view_id=view_id)
    except (NotFound, ValidationError):
        return None, None
    return view.pk, queue_selectors.next_ticket_in_view(viewer=viewer(request), view=view, ticket=ticket)


def ticket_context(
    request: HttpRequest,
    ticket_id: int,
    *,
    props_errors: dict[str, str] | None = None,
    props_posted: Any = None,
    composer: dict[str, Any] | None = None,
    props_state: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the ticket page shows, in a fixed number of queries whatever its history."""
    user = viewer(request)
    ticket = selectors.ticket_get(viewer=user, ticket_id=ticket_id)
    messages = list(channel_page.annotate(selectors.message_list(viewer=user, ticket=ticket)))
    parts = channel_page.page_parts(ticket, messages)  # what each channel shows: deliveries, originals
    audits = list(selectors.audit_list(viewer=user, ticket=ticket))
    statuses = selectors.status_choices()
    teams = list(team_list(viewer=user).prefetch_related(None).only("id", "name"))
    staff = list(user_list(viewer=user))
    defs = definitions("ticket")
    names = names_for(statuses=statuses, users=staff, teams=teams, fields=defs)
    missing = user_ids_in(audits) - set(names.users)
    if missing:  # should not happen (staff holds every agent), kept for deleted or odd values
        names.users.update({i: f"#{i}" for i in missing})
    timeline = fold(messages, audit_lines(audits, names), parts)

    if ticket.team_id is not None:  # the assignee is one of the team's agents: one small query
        member_ids = team_member_ids(viewer=user, team_id=ticket.team_id)
        pool = [u for u in staff if u.pk in member_ids]
    else:
        pool = staff
    assignees = sorted((u for u in pool if u.is_active and u.role in FULL_AGENT_ROLES), key=lambda u: str(u).lower())
    if ticket.assignee is not None and ticket.assignee not in assignees:
        assignees.insert(0, ticket.assignee)
    followers = [u for u in staff if u.is_active]
    follower_ids = {u.pk for u in ticket.followers.all()}
    status_of = {s.key: s for s in statuses}

    view_id, next_ticket = _next_ticket(request, ticket)
    closed = ticket.status_category == StatusCategory.CLOSED
    can_edit = policies.can_edit(user) and not closed  # closed tickets take a follow-up, not changes
    can_public = policies.can_reply_publicly(user)
    errors = props_errors or {}
    posted = props_posted
    # the requester's card now; the rest of their 360 view arrives as its own fragment (ticket_customer)
    customer = contact_card(viewer=user, contact=ticket.requester)
    composer = composer_state(viewer=user, ticket=ticket, posted=composer, can_public=can_public)
    context = {
        "nav": "tickets",
        "active_view_id": view_id,
        "ticket": ticket,
        "status": status_of.get(ticket.status),
        "status_label": status_of[ticket.status].label if ticket.status in status_of else ticket.status,
        "timeline": timeline,
        "parts": parts,
        "panels": panels_for(user, ticket),  # what other apps add to the sidebar
        "message_count": len(messages),
        "statuses": [s for s in statuses if s.active],
        "priorities": Priority.choices,
        "types": TicketType.choices,
        "teams": teams,
        "assignees": assignees,
        "followers": followers,
        "follower_ids": follower_ids,
        "current": _current(ticket, follower_ids, posted),
        "seen": seen_values(ticket, follower_ids, defs),
        "tags": [t.name for t in ticket.tags.all()],
        "custom_inputs": _custom_inputs(ticket, defs, posted, errors),
        "props_errors": errors,
        "posted": posted,
        "links": _links(user, ticket),
        "link_kinds": [(k, LinkKind(k).label) for k in USER_KINDS],
        "is_problem": ticket.type == TicketType.PROBLEM,
        "can_edit": can_edit,
        "is_closed": closed,
        "can_public": can_public,
        "composer": composer,
        "customer": customer,
        "view_id": view_id,
        "next_ticket": next_ticket,
        "next_url": ticket_url(next_ticket.pk, view_id) if next_ticket else None,
        "self_url": ticket_url(ticket.pk, view_id),
    }
    context.update(props_context(context, user, props_state or {}))  # the properties panel, field by field
    return context


@agent_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    context = ticket_context(request, ticket_id)
    mark_ticket_read(by=viewer(request), ticket_id=ticket_id)  # the bell: this ticket's notifications are seen
    return render(request, "workspace/ticket/page.html", context)


def render_page(request: HttpRequest, ticket_id: int, status: int = 200, **kwargs: Any) -> HttpResponse:
    return render(request, "workspace/ticket/page.html", ticket_context(request, ticket_id, **kwargs), status=status)


@agent_required
def ticket_customer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The requester's 360 view for the ticket page's sidebar (loaded after the page): identities,
    open and recent tickets, purchases, recent interactions elsewhere."""
    user = viewer(request)
    ticket = selectors.ticket_get(viewer=user, ticket_id=ticket_id, detail=False)
    # the sidebar shows a few of each: ask the 360 view for no more than that
    customer = contact_360(viewer=user, contact_id=ticket.requester_id, tickets_limit=10, timeline_limit=30)
    labels = {s.key: s.label for s in selectors.status_choices()}
    return render(request, "workspace/ticket/_customer.html", {
        "ticket": ticket,
        "customer": customer,
        "customer_open": [{"t": t, "label": labels.get(t.status, t.status)} for t in customer.open_tickets],
        "customer_recent": [{"t": t, "label": labels.get(t.status, t.status)} for t in customer.recent_tickets[:5]],
        "elsewhere": [i for i in customer.timeline if i.ticket_id != ticket.pk][:RECENT_ELSEWHERE],
    })
