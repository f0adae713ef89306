"""Saved views (queues): services, selectors and cheap counts.

A view is personal (``owner`` set) or shared (``owner`` empty); a shared view with a team is
for that team's members (admins and supervisors see every view). Filters use the keys of the
ticket list; ``assignee_id`` may be ``"me"`` (resolved per viewer) or ``"none"``.

Counts never count a whole table: each reads at most ``COUNT_CAP + 1`` index entries
(``"1000+"``), is cached for 30 s per (visibility scope, view), and every ticket write bumps a
generation number in the cache after commit, so a stale count lives at most until then.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet

from frontdesk.accounts.acting import acting_person
from frontdesk.accounts.models import Role, Team, User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import NotFound, PermissionDenied, ValidationError
from frontdesk.core.events import record
from frontdesk.core.ids import MAX_ID, check_id
from frontdesk.tickets.events import ViewDeleted, ViewSaved
from frontdesk.tickets.filters import TicketFilters, as_filters
from frontdesk.tickets.models import Ticket, View
from frontdesk.tickets.policies import visible_tickets
from frontdesk.tickets.selectors import ticket_list

SORTS = ("-updated_at", "updated_at", "-created_at", "created_at", "-priority", "-id")
COUNT_CAP = 1000
COUNT_TTL = 30
_GENERATION_KEY = "frontdesk:viewcounts:generation"
MAX_VIEWS_PER_OWNER = 200


# --- filters -----------------------------------------------------------------------------------


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def validate_filters(filters: Any) -> dict[str, Any]:
    """Check a view's filters and return them normalised, as the view stores them."""
    if not isinstance(filters, TicketFilters):
        filters = TicketFilters.from_dict(filters, prefix="filters.", strict=True)
    return filters.check_known(prefix="filters.").to_dict()


def filter_tickets(
    qs: QuerySet[Ticket], filters: TicketFilters | dict[str, Any] | None, *, viewer: User
) -> QuerySet[Ticket]:
    """Apply view filters to ``qs`` the way the ticket list does (``"me"`` is ``viewer``)."""
    return as_filters(filters).apply(qs, viewer) if filters else qs


# --- services ----------------------------------------------------------------------------------


def _may_share(by: User) -> bool:
    return by.is_active and by.role in (Role.ADMIN, Role.SUPERVISOR)


def _require_edit(by: User, view: View) -> None:
    if not by.is_active or not by.is_agent:
        raise NotFound("View not found.")
    if view.owner_id is not None:
        if view.owner_id != by.pk:
            raise NotFound("View not found.")
    elif not _may_share(by):
        raise PermissionDenied("Only admins and supervisors change shared views.")


def view_save(
    *,
    actor: Actor,
    view: View | None = None,
    name: str,
    filters: TicketFilters | dict[str, Any],
    sort: str = "-updated_at",
    shared: bool = False,
    team_id: int | None = None,
    position: int = 0,
) -> View:
    """Create (``view=None``) or change a view. Any agent keeps personal views; shared and
    team views are for admins and supervisors."""
    by = acting_person(actor)
    if not by.is_active or not by.is_agent:
        raise PermissionDenied("Only agents keep views.")
    if view is not None:
        _require_edit(by, view)
    if shared and not _may_share(by):
        raise PermissionDenied("Only admins and supervisors share views.")
    if team_id is not None and not shared:
        raise ValidationError("A team view is shared.", fields={"team_id": "only for shared views"})
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise ValidationError("A view needs a name (100 characters at most).",
                              fields={"name": "1 to 100 characters"})
    if sort not in SORTS:
        raise ValidationError("Unknown sort order.", fields={"sort": f"one of {', '.join(SORTS)}"})
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 1_000_000:
        raise ValidationError("position is out of range.", fields={"position": "0 to 1000000"})
    clean = validate_filters(filters)
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=check_id(team_id, "Team") if _is_id(team_id) else 0).first()
        if team is None:
            raise ValidationError("Unknown team.", fields={"team_id": "unknown team"})
    owner_id = None if shared else by.pk
    with transaction.atomic():
        if view is None:
            if owner_id and View.objects.filter(owner_id=owner_id).count() >= MAX_VIEWS_PER_OWNER:
                raise ValidationError("Too many personal views.", fields={"name": "delete a view first"})
            view = View()
            old: dict[str, Any] = {}
        else:
            view = View.objects.select_for_update().get(pk=view.pk)
            old = _snapshot(view)
        view.name, view.filters, view.sort, view.position = name, clean, sort, position
        view.owner_id, view.team = owner_id, team
        view.save()
        new = _snapshot(view)
        changes = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
        if changes:
            record(ViewSaved(view_id=view.pk, changes=changes), actor=actor)
    return view


def _snapshot(view: View) -> dict[str, Any]:
    return {
        "name": view.name, "filters": view.filters, "sort": view.sort, "position": view.position,
        "owner_id": view.owner_id, "team_id": view.team_id,
    }


def view_delete(*, actor: Actor, view: View) -> None:
    by = acting_person(actor)
    _require_edit(by, view)
    with transaction.atomic():
        pk = view.pk
        View.objects.filter(pk=pk).delete()
        record(ViewDeleted(view_id=pk), actor=actor)


# --- selectors ---------------------------------------------------------------------------------


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
    ticket list shows; paginate with ``view.sort``."""
    return ticket_list(viewer=viewer, filters=view.filters)


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
        value = getattr(ticket, field)
        qs = qs.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": ticket.pk}))
        qs = qs.order_by(f"-{field}", "-id") if descending else qs.order_by(field, "id")
    return qs.select_related(None).prefetch_related(None).only("pk", "subject").first()
