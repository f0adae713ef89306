"""Saved views (queues): selectors and cheap counts. The writes are in tickets/services/queues.py.

A view is personal (``owner`` set) or shared (``owner`` empty); a shared view with a team is
for that team's members (admins and supervisors see every view). Filters use the keys of the
ticket list; ``assignee_id`` may be ``"me"`` (resolved per viewer) or ``"none"``.

Counts never count a whole table: each reads at most ``COUNT_CAP + 1`` index entries
(``"1000+"``), is cached for 30 s per (visibility scope, view), and every ticket write bumps a
generation number in the cache after commit (``counts_changed``), so a stale count lives at most
until then.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet

from frontdesk.accounts.models import Role, User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id
from frontdesk.tickets import filter_registry
from frontdesk.tickets.filters import TicketFilters, as_filters
from frontdesk.tickets.models import Ticket, View
from frontdesk.tickets.policies import visible_tickets
from frontdesk.tickets.selectors import ticket_list

COUNT_CAP = 1000
COUNT_TTL = 30
_GENERATION_KEY = "frontdesk:viewcounts:generation"
MAX_VIEWS_PER_OWNER = 200


def filter_tickets(
    qs: QuerySet[Ticket], filters: TicketFilters | dict[str, Any] | None, *, viewer: User
) -> QuerySet[Ticket]:
    """Apply view filters to ``qs`` the way the ticket list does (``"me"`` is ``viewer``)."""
    return as_filters(filters).apply(qs, viewer) if filters else qs


# --- views -------------------------------------------------------------------------------------


def view_list(*, viewer: User) -> QuerySet[View]:
    """The viewer's own views, shared views, and their teams' views (admins and supervisors
    see every shared and team view). Customers have none."""
    if not viewer.is_active or not viewer.is_agent:
        return View.objects.none()
    shared = Q(owner__isnull=True)
    if viewer.role not in (Role.ADMIN, Role.SUPERVISOR):
        shared &= Q(team__isnull=True) | Q(team__in=viewer.teams.values("pk"))
    return View.objects.filter(Q(owner=viewer) | shared).order_by("position", "pk")


def view_get(*, viewer: User, view_id: int) -> View:
    check_id(view_id, "View")
    view = view_list(viewer=viewer).filter(pk=view_id).first()
    if view is None:
        raise NotFound("View not found.")
    return view


def view_tickets(*, viewer: User, view: View) -> QuerySet[Ticket]:
    """The tickets of ``view`` that ``viewer`` may see (``"me"`` is the viewer), with what the
    ticket list shows, and what ``view.sort`` orders by (a registered sort's annotation); paginate
    with ``view.sort``."""
    return filter_registry.sorted_tickets(ticket_list(viewer=viewer, filters=view.filters), view.sort)


# --- counts ------------------------------------------------------------------------------------


def counts_changed() -> None:
    """Tickets changed: every cached count is stale (one cache write, no scan)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, int(time.time() * 1000), timeout=None)


def _generation() -> int:
    gen = cache.get(_GENERATION_KEY)
    if gen is None:
        gen = int(time.time() * 1000)
        cache.add(_GENERATION_KEY, gen, timeout=None)
        gen = cache.get(_GENERATION_KEY, gen)
    return int(gen)


def _scope(viewer: User, view: View) -> str:
    """Who sees the same count: admins and supervisors share one, unless 'me' is in the filters."""
    if viewer.role in (Role.ADMIN, Role.SUPERVISOR) and not as_filters(view.filters).mentions_viewer:
        return "all"
    return f"user{viewer.pk}"


def _count_key(viewer: User, view: View, generation: int) -> str:
    digest = hashlib.sha256(json.dumps(view.filters, sort_keys=True).encode()).hexdigest()[:16]
    return f"frontdesk:viewcount:{generation}:{_scope(viewer, view)}:{view.pk}:{digest}"


def view_counts(*, viewer: User, views: Iterable[View]) -> dict[int, dict[str, Any]]:
    """``{view_id: {"count": n, "capped": bool}}``; a capped count means "more than 1000"."""
    views = list(views)
    generation = _generation()
    keys = {view.pk: _count_key(viewer, view, generation) for view in views}
    cached = cache.get_many(list(keys.values()))
    out: dict[int, dict[str, Any]] = {}
    fresh: dict[str, dict[str, Any]] = {}
    visible: QuerySet[Ticket] | None = None
    for view in views:
        hit = cached.get(keys[view.pk])
        if hit is None:
            visible = visible_tickets(viewer) if visible is None else visible
            qs = filter_tickets(visible, view.filters, viewer=viewer)
            n = qs.values("pk")[: COUNT_CAP + 1].count()
            hit = {"count": min(n, COUNT_CAP), "capped": n > COUNT_CAP}
            fresh[keys[view.pk]] = hit
        out[view.pk] = hit
    if fresh:
        cache.set_many(fresh, timeout=COUNT_TTL)
    return out


def next_ticket_in_view(*, viewer: User, view: View, ticket: Ticket) -> Ticket | None:
    """The ticket after ``ticket`` in ``view``'s sort order (what "next ticket" opens), or None.

    A keyset condition on (sort field, id) from ``ticket``'s own values: one indexed query,
    and it works even when ``ticket`` itself has left the view (solved, reassigned)."""
    descending = view.sort.startswith("-")
    field = view.sort.lstrip("-")
    op = "lt" if descending else "gt"
    qs = view_tickets(viewer=viewer, view=view).exclude(pk=ticket.pk)
    if field == "id":
        qs = qs.filter(**{f"id__{op}": ticket.pk}).order_by("-id" if descending else "id")
    else:
        if any(f.name == field for f in Ticket._meta.concrete_fields):
            value = getattr(ticket, field)
        else:  # a registered sort's annotation: the ticket's own value, one more query
            own = filter_registry.sorted_tickets(Ticket.objects.filter(pk=ticket.pk), view.sort)
            value = own.values_list(field, flat=True).first()
        qs = qs.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": ticket.pk}))
        qs = qs.order_by(f"-{field}", "-id") if descending else qs.order_by(field, "id")
    return qs.select_related(None).prefetch_related(None).only("pk", "subject").first()
