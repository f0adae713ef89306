"""Views (saved queues) and ticket lists: filters, sorting, keyset pages, bulk actions.

Every read goes through tickets.queue_selectors / tickets.selectors and every write through
tickets.services (queues.view_create / view_update / view_delete); this module only parses and renders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from frontdesk.accounts.models import FULL_AGENT_ROLES, Role, User
from frontdesk.accounts.selectors import team_list, user_list
from frontdesk.brands.selectors import brand_list
from frontdesk.core import channels
from frontdesk.core.errors import FrontdeskError, ValidationError
from frontdesk.core.pagination import keyset_page
from frontdesk.customers.selectors import contact_list, organisation_list
from frontdesk.tickets import filter_registry, policies, queue_selectors
from frontdesk.tickets.filters import TicketFilters
from frontdesk.tickets.models import Priority, StatusCategory, TicketType, View
from frontdesk.tickets.selectors import last_public_messages, status_list, ticket_get, ticket_list
from frontdesk.tickets.services import RequestersDiffer, queues, tickets_bulk_update, tickets_merge
from frontdesk.workspace.access import actor, agent_required, viewer

PAGE_SIZE = 50
PREVIEW_CHARS = 240
WAITING_ON_US = (StatusCategory.NEW, StatusCategory.OPEN)
# column -> (first sort when chosen, the other direction or None when only one is allowed)
SORT_COLUMNS: dict[str, tuple[str, str | None]] = {
    "id": ("-id", None),
    "priority": ("-priority", None),
    "created": ("-created_at", "created_at"),
    "updated": ("-updated_at", "updated_at"),
}


# --- parsing -----------------------------------------------------------------------------------


def _number_or_text(value: str) -> int | str:
    return int(value) if value.isdigit() and len(value) <= 19 else value


def filters_from_query(query: QueryDict) -> TicketFilters:
    """The list filters named in a query string (every key the API and views know)."""
    return TicketFilters.from_query(query).check_known()


def _sort_from(query: QueryDict, default: str) -> str:
    sort = query.get("sort", "")
    return sort if sort in filter_registry.sorts() else default


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- what the list template needs --------------------------------------------------------------


def _choices(user: User) -> dict[str, Any]:
    teams = list(team_list(viewer=user).prefetch_related(None).only("id", "name"))
    agents = list(user_list(viewer=user, active=True).filter(role__in=FULL_AGENT_ROLES).only("id", "name", "email"))
    statuses = list(status_list(viewer=user))
    return {
        "categories": StatusCategory.choices,
        "priorities": Priority.choices,
        "types": TicketType.choices,
        "channels": channels.choices(),
        "teams": teams,
        "agents": agents,
        "statuses": statuses,
        "team_names": {t.pk: t.name for t in teams},
        "status_labels": {s.key: s.label for s in statuses},
    }


def _headers(base: list[tuple[str, str]], sort: str, path: str) -> dict[str, dict[str, str]]:
    out = {}
    for column, (first, other) in SORT_COLUMNS.items():
        active = sort in (first, other)
        chosen = other if active and other and sort == first else first
        out[column] = {
            "url": f"{path}?{urlencode([*base, ('sort', chosen)])}",
            "aria": ("descending" if sort.startswith("-") else "ascending") if active else "none",
            "arrow": ("▼" if sort.startswith("-") else "▲") if active else "",
        }
    return out


def list_context(
    request: HttpRequest, *, filters: TicketFilters, sort: str, view: View | None, error: Any = None
) -> dict[str, Any]:
    """Rows of one keyset page with everything the filters form, table and bulk bar show."""
    user = viewer(request)
    path = request.path
    base = filters.to_query()
    if view is not None:
        base.append(("f", "1"))
    cursor = request.GET.get("cursor") or None
    rows: list[Any] = []
    next_url = None
    if error is None:
        try:
            tickets = filter_registry.sorted_tickets(ticket_list(viewer=user, filters=filters), sort)
            page = keyset_page(tickets, sort=sort, cursor=cursor, limit=PAGE_SIZE)
            rows = page.items
            if page.next_cursor:
                next_url = f"{path}?{urlencode([*base, ('sort', sort), ('cursor', page.next_cursor)])}"
        except ValidationError as exc:
            error = exc
    choices = _choices(user)
    last = last_public_messages(viewer=user, ticket_ids=[t.pk for t in rows])
    # what each row shows, worked out here once rather than by template tags per row and column
    url_of = reverse("workspace:ticket", args=[0]).replace("/0/", "/{}/") + (f"?view={view.pk}" if view else "")
    priorities, channel_labels = dict(Priority.choices), dict(channels.choices())
    for ticket in rows:
        ticket.url = url_of.format(ticket.pk)
        ticket.select_label = _("Select ticket #%(id)s") % {"id": ticket.pk}
        ticket.requester_name = ticket.requester.name or ticket.requester.primary_email
        ticket.assignee_name = (ticket.assignee.name or ticket.assignee.email) if ticket.assignee else ""
        ticket.tag_names = [tag.name for tag in ticket.tags.all()]
        ticket.priority_label = priorities.get(ticket.priority, ticket.priority)
        ticket.channel_label = channel_labels.get(ticket.channel, ticket.channel)
        ticket.team_name = choices["team_names"].get(ticket.team_id, "")
        ticket.status_label = choices["status_labels"].get(ticket.status, ticket.status)
        ticket.channel_icon = channels.icon(ticket.channel)
        message = last.get(ticket.pk)
        ticket.preview = " ".join(message.body.split())[:PREVIEW_CHARS] if message else ""
        # the customer wrote last and the ticket is still to be answered: it waits on us since then
        ticket.customer_last = bool(
            message and message.author_contact_id and not message.author_user_id
            and ticket.status_category in WAITING_ON_US
        )
        ticket.waiting_since = message.created_at if message and ticket.customer_last else None
    query_now = urlencode([*base, ("sort", sort)])
    return {
        "nav": "tickets" if view is None else "",
        "active_view_id": view.pk if view else None,
        "view": view,
        "rows": rows,
        "filters": filters,
        "selected": {key: filters.selected(key) for key in TicketFilters.names()},
        "extra_filters": _extra_filters(filters, path, user),
        # statuses admins added, and any built-in one the filters name exactly: offered one by one
        "custom_statuses": [s for s in choices["statuses"] if not s.builtin or s.key in filters.status],
        "filter_summary": _summary(filters, choices),
        "sort": sort,
        "headers": _headers(base, sort, path),
        "next_url": next_url,
        "first_url": f"{path}?{query_now}" if cursor else None,
        "current_url": f"{path}?{query_now}",
        "filter_query": urlencode(base),
        "error": error,
        "can_edit": policies.can_edit(user),
        "may_share": user.role in (Role.ADMIN, Role.SUPERVISOR),
        **choices,
    }


def _render_list(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    if request.headers.get("HX-Request") == "true" and request.GET.get("cursor"):
        return render(request, "workspace/lists/_more.html", context)
    return render(request, "workspace/lists/list.html", context, status=400 if context["error"] else 200)


# --- pages -------------------------------------------------------------------------------------


@require_GET
@agent_required
def views_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    views = list(queue_selectors.view_list(viewer=user).select_related("team")[: queue_selectors.MAX_VIEWS_PER_OWNER])
    counts = queue_selectors.view_counts(viewer=user, views=views)
    may_share = user.role in (Role.ADMIN, Role.SUPERVISOR)
    items = [
        {
            "view": v,
            "count": counts.get(v.pk, {}).get("count"),
            "capped": counts.get(v.pk, {}).get("capped"),
            "manage": v.owner_id == user.pk or (v.owner_id is None and may_share),
        }
        for v in views
    ]
    return render(request, "workspace/lists/views.html", {"items": items, "nav": "views"})


@require_GET
@agent_required
def view_page(request: HttpRequest, view_id: int) -> HttpResponse:
    user = viewer(request)
    view = queue_selectors.view_get(viewer=user, view_id=view_id)
    error = None
    saved = TicketFilters.from_dict(view.filters)
    filters = saved
    if request.GET.get("f"):  # the form or a page link of this view: its filters are in the query
        try:
            filters = filters_from_query(request.GET)
        except ValidationError as exc:
            error = exc  # keep showing the view's own filters, with the error
    sort = _sort_from(request.GET, view.sort)
    context = list_context(request, filters=filters, sort=sort, view=view, error=error)
    context["customised"] = filters != saved or sort != view.sort
    return _render_list(request, context)


@require_GET
@agent_required
def tickets_page(request: HttpRequest) -> HttpResponse:
    error = None
    try:
        filters = filters_from_query(request.GET)
    except ValidationError as exc:
        error, filters = exc, TicketFilters()
    context = list_context(request, filters=filters, sort=_sort_from(request.GET, "-updated_at"), view=None,
                           error=error)
    return _render_list(request, context)


# --- saving, renaming and deleting views --------------------------------------------------------


@require_POST
@agent_required
def view_create(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("workspace:tickets"))
    try:
        filters = filters_from_query(QueryDict(request.POST.get("query", "")))
        view = queues.view_create(
            actor=actor(request), name=request.POST.get("name", ""), filters=filters,
            sort=_sort_from(request.POST, "-updated_at"), shared=request.POST.get("shared") == "1",
        )
    except FrontdeskError as exc:
        messages.error(request, _("The view was not saved: %(reason)s") % {"reason": _describe(exc)})
        return redirect(back)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect("workspace:view", view_id=view.pk)


@require_POST
@agent_required
def view_rename(request: HttpRequest, view_id: int) -> HttpResponse:
    user = viewer(request)
    view = queue_selectors.view_get(viewer=user, view_id=view_id)
    try:
        queues.view_update(actor=actor(request), view=view, name=request.POST.get("name", ""))
        messages.success(request, _("View renamed."))
    except FrontdeskError as exc:
        messages.error(request, _("The view was not renamed: %(reason)s") % {"reason": _describe(exc)})
    return redirect(_safe_next(request, reverse("workspace:views")))


@require_POST
@agent_required
def view_remove(request: HttpRequest, view_id: int) -> HttpResponse:
    user = viewer(request)
    view = queue_selectors.view_get(viewer=user, view_id=view_id)
    if request.POST.get("confirm") != "1":  # ask first: what is deleted, and for whom
        return render(request, "workspace/lists/view_delete.html", {"view": view, "nav": "views"})
    try:
        queues.view_delete(actor=actor(request), view=view)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    except FrontdeskError as exc:
        messages.error(request, _("The view was not deleted: %(reason)s") % {"reason": _describe(exc)})
    return redirect("workspace:views")


# --- bulk actions ------------------------------------------------------------------------------


def _describe(exc: FrontdeskError) -> str:
    detail = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
    return f"{exc.message} ({detail})" if detail else exc.message


def _ids(values: list[str]) -> list[int]:
    ids = [int(v) for v in values if v.isdigit() and len(v) <= 19]
    if not ids or len(ids) != len(values):
        raise ValidationError(_("Select the tickets to change."), fields={"ticket_ids": "ids"})
    return ids


def _changes(post: QueryDict) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    assignee = post.get("assignee", "")
    if assignee == "none":
        changes["assignee"] = None
    elif assignee:
        changes["assignee"] = _number_or_text(assignee)
    if post.get("status"):
        changes["status"] = post["status"]
    if post.get("priority"):
        changes["priority"] = _number_or_text(str(post["priority"]))
    for key in ("add_tags", "remove_tags"):
        tags = [t.strip() for t in post.get(key, "").split(",") if t.strip()]
        if tags:
            changes[key] = tags
    return changes


def _merge(request: HttpRequest, ids: list[int]) -> dict[str, Any]:
    user = viewer(request)
    target_raw = request.POST.get("merge_target", "").strip().lstrip("#")
    if not target_raw.isdigit() or int(target_raw) not in ids:
        raise ValidationError(_("Choose the ticket to merge into among the selected tickets."),
                              fields={"merge_target": "one of the selected tickets"})
    target = ticket_get(viewer=user, ticket_id=int(target_raw), detail=False)
    updated: list[int] = []
    failed: dict[int, str] = {}
    for pk in ids:
        if pk == target.pk:
            continue
        try:
            source = ticket_get(viewer=user, ticket_id=pk, detail=False)
            tickets_merge(actor=actor(request), source=source, target=target)
            updated.append(pk)
        except RequestersDiffer:
            # who keeps a merged ticket of two customers is chosen one ticket at a time, on its merge page
            failed[pk] = _("its requester is not the target's; merge it from its own page to choose who keeps "
                           "the merged ticket")
        except FrontdeskError as exc:
            failed[pk] = _describe(exc)
    return {"updated": updated, "failed": failed, "target": target.pk}


@require_POST
@agent_required
def bulk_action(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("workspace:tickets"))
    try:
        ids = _ids(request.POST.getlist("ticket_ids"))
        if request.POST.get("action") == "merge":
            result = _merge(request, ids)
        else:
            changes = _changes(request.POST)
            if not changes:
                raise ValidationError(_("Choose what to change."), fields={"changes": "required"})
            result = tickets_bulk_update(actor=actor(request), ticket_ids=ids, **changes)
    except FrontdeskError as exc:
        messages.error(request, _describe(exc))
        return redirect(back)
    done = len(result["updated"])
    if "target" in result:
        text = ngettext("%(n)d ticket merged into #%(t)d.", "%(n)d tickets merged into #%(t)d.", done)
        messages.success(request, text % {"n": done, "t": result["target"]})
    else:
        messages.success(request, ngettext("%(n)d ticket updated.", "%(n)d tickets updated.", done) % {"n": done})
    for pk, reason in result["failed"].items():
        messages.error(request, _("#%(id)s not changed: %(reason)s") % {"id": pk, "reason": reason})
    return redirect(back)


def _extra_filters(filters: TicketFilters, path: str, user: User) -> list[dict[str, Any]]:
    """Conditions the form has no control for (brand, organisation, requester, dates): kept as
    hidden inputs so filtering never drops them, and shown as chips that remove one each."""
    names: dict[str, dict[Any, str]] = {"brand_id": {}, "organisation_id": {}, "requester_id": {}}
    if filters.brand_id:
        names["brand_id"] = {b.pk: b.name for b in brand_list(viewer=user).filter(pk__in=filters.brand_id)}
    if filters.organisation_id:
        orgs = organisation_list(viewer=user).filter(pk__in=filters.organisation_id)
        names["organisation_id"] = {o.pk: o.name for o in orgs}
    if filters.requester_id:
        contacts = contact_list(viewer=user, include_merged=True).filter(pk__in=filters.requester_id)
        names["requester_id"] = {c.pk: c.name or c.primary_email or f"#{c.pk}" for c in contacts}
    labels = {"brand_id": _("Brand"), "organisation_id": _("Organisation"), "requester_id": _("Requester"),
              "created_after": _("Created from"), "created_before": _("Created before"),
              "updated_after": _("Updated from"), "updated_before": _("Updated before")}
    # the filters apps added (SLA, routing …) are chips too, in their own words
    for key, spec in filter_registry.filters().items():
        labels[key] = spec.label
        if spec.choices is not None:
            names[key] = {k: str(v) for k, v in spec.choices()}
    chips: list[dict[str, Any]] = []
    for key, label in labels.items():
        value = filters.value(key)
        if not value:
            continue
        items = [value] if isinstance(value, datetime) else list(value)
        for item in items:
            if isinstance(item, datetime):
                shown = date_format(timezone.localtime(item), "SHORT_DATETIME_FORMAT")
                rest = filters.replace(**{key: None})
            else:
                shown = names.get(key, {}).get(item, f"#{item}" if key.endswith("_id") else str(item))
                rest = filters.replace(**{key: tuple(v for v in value if v != item)})
            chips.append({
                "key": key, "value": item.isoformat() if isinstance(item, datetime) else str(item),
                "label": f"{label}: {shown}", "remove_url": f"{path}?{urlencode([*rest.to_query(), ('f', '1')])}",
            })
    return chips


def _summary(filters: TicketFilters, choices: dict[str, Any]) -> dict[str, str]:
    """What each collapsed filter shows on its button: "Any", or the chosen labels."""
    def label(pairs: Any, chosen: list[str]) -> str:
        return ", ".join(str(v) for k, v in pairs if str(k) in chosen)  # in the menu's order

    status = [*[str(label) for value, label in StatusCategory.choices if value in filters.status_category],
              *[choices["status_labels"].get(k, k) for k in filters.status]]
    assignees = [("me", _("Me")), ("none", _("Unassigned")),
                 *((str(a.pk), a.name or a.email) for a in choices["agents"])]
    teams = [("none", _("No team")), *((str(t.pk), t.name) for t in choices["teams"])]
    return {
        "status": ", ".join(status),
        "priority": label(Priority.choices, filters.selected("priority")),
        "type": label(TicketType.choices, filters.selected("type")),
        "channel": label(channels.choices(), filters.selected("channel")),
        "team_id": label(teams, filters.selected("team_id")),
        "assignee_id": label(assignees, filters.selected("assignee_id")),
    }
