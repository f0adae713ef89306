"""Saved views (queues): creating, changing and deleting them. The reads and the counts are in
tickets/queue_selectors.py.

Any agent keeps personal views (``owner`` set); shared views (``owner`` empty), with or without a
team, are for admins and supervisors to create and change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from frontdesk.accounts.acting import acting_person
from frontdesk.accounts.models import Role, Team, User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import NotFound, PermissionDenied, ValidationError
from frontdesk.core.events import record
from frontdesk.core.ids import MAX_ID, check_id
from frontdesk.tickets import filter_registry
from frontdesk.tickets.events import ViewDeleted, ViewSaved
from frontdesk.tickets.filters import TicketFilters
from frontdesk.tickets.models import View
from frontdesk.tickets.queue_selectors import MAX_VIEWS_PER_OWNER


class _Keep(enum.Enum):
    """An argument left out of ``view_update``: the view keeps its value."""

    KEEP = enum.auto()


_KEEP = _Keep.KEEP


def validate_filters(filters: Any) -> dict[str, Any]:
    """Check a view's filters and return them normalised, as the view stores them."""
    if not isinstance(filters, TicketFilters):
        filters = TicketFilters.from_dict(filters, prefix="filters.", strict=True)
    return filters.check_known(prefix="filters.").to_dict()


def view_create(
    *,
    actor: Actor,
    name: str,
    filters: TicketFilters | dict[str, Any],
    sort: str = "-updated_at",
    shared: bool = False,
    team_id: int | None = None,
    position: int = 0,
) -> View:
    """Add a view: a personal one (at most ``MAX_VIEWS_PER_OWNER`` an agent), or, by an admin or
    a supervisor, a ``shared`` one, for everyone or for the team ``team_id``."""
    by = _agent(actor)
    values = _clean(by, name=name, filters=filters, sort=sort, shared=shared, team_id=team_id, position=position)
    with transaction.atomic():
        if values.owner_id and View.objects.filter(owner_id=values.owner_id).count() >= MAX_VIEWS_PER_OWNER:
            raise ValidationError("Too many personal views.", fields={"name": "delete a view first"})
        return _store(actor, View(), values, old={})


def view_update(
    *,
    actor: Actor,
    view: View,
    name: str | _Keep = _KEEP,
    filters: TicketFilters | dict[str, Any] | _Keep = _KEEP,
    sort: str | _Keep = _KEEP,
    shared: bool | _Keep = _KEEP,
    team_id: int | None | _Keep = _KEEP,
    position: int | _Keep = _KEEP,
) -> View:
    """Change a view; arguments left out keep their value (``team_id=None`` takes a shared view
    from its team). Its owner changes a personal view, an admin or a supervisor a shared one; a
    view made personal becomes theirs. Checked as a whole, like a new view."""
    by = _agent(actor)
    _require_edit(by, view)
    values = _clean(
        by,
        name=view.name if name is _KEEP else name,
        filters=view.filters if filters is _KEEP else filters,
        sort=view.sort if sort is _KEEP else sort,
        shared=(view.owner_id is None) if shared is _KEEP else shared,
        team_id=view.team_id if team_id is _KEEP else team_id,
        position=view.position if position is _KEEP else position,
    )
    with transaction.atomic():
        locked = View.objects.select_for_update().get(pk=view.pk)
        return _store(actor, locked, values, old=_snapshot(locked))


def view_delete(*, actor: Actor, view: View) -> None:
    by = acting_person(actor)
    _require_edit(by, view)
    with transaction.atomic():
        pk = view.pk
        View.objects.filter(pk=pk).delete()
        record(ViewDeleted(view_id=pk), actor=actor)


# --- the steps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Values:
    """What a view is saved with, checked."""

    name: str
    filters: dict[str, Any]
    sort: str
    position: int
    owner_id: int | None
    team: Team | None


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _may_share(by: User) -> bool:
    return by.is_active and by.role in (Role.ADMIN, Role.SUPERVISOR)


def _agent(actor: Actor) -> User:
    """The person acting, who must be an active agent: only agents keep views."""
    by = acting_person(actor)
    if not by.is_active or not by.is_agent:
        raise PermissionDenied("Only agents keep views.")
    return by


def _require_edit(by: User, view: View) -> None:
    if not by.is_active or not by.is_agent:
        raise NotFound("View not found.")
    if view.owner_id is not None:
        if view.owner_id != by.pk:
            raise NotFound("View not found.")
    elif not _may_share(by):
        raise PermissionDenied("Only admins and supervisors change shared views.")


def _clean(
    by: User, *, name: Any, filters: Any, sort: Any, shared: bool, team_id: int | None, position: Any
) -> _Values:
    """Check every value, in this order (the first error wins), and look the team up."""
    if shared and not _may_share(by):
        raise PermissionDenied("Only admins and supervisors share views.")
    if team_id is not None and not shared:
        raise ValidationError("A team view is shared.", fields={"team_id": "only for shared views"})
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise ValidationError("A view needs a name (100 characters at most).",
                              fields={"name": "1 to 100 characters"})
    if sort not in filter_registry.sorts():
        raise ValidationError("Unknown sort order.", fields={"sort": f"one of {', '.join(filter_registry.sorts())}"})
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 1_000_000:
        raise ValidationError("position is out of range.", fields={"position": "0 to 1000000"})
    clean = validate_filters(filters)
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=check_id(team_id, "Team") if _is_id(team_id) else 0).first()
        if team is None:
            raise ValidationError("Unknown team.", fields={"team_id": "unknown team"})
    return _Values(name=name, filters=clean, sort=sort, position=position,
                   owner_id=None if shared else by.pk, team=team)


def _store(actor: Actor, view: View, values: _Values, *, old: dict[str, Any]) -> View:
    """Save ``values`` on ``view`` (new, or locked for update) and record what changed."""
    view.name, view.filters, view.sort, view.position = values.name, values.filters, values.sort, values.position
    view.owner_id, view.team = values.owner_id, values.team
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
