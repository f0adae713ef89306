"""Who may see and change which tickets. Selectors and services both use these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from frontdesk.accounts.models import Role, User
from frontdesk.core.errors import PermissionDenied
from frontdesk.tickets.models import Ticket


def visibility_q(viewer: User) -> Q | None:
    """A filter on Ticket for what ``viewer`` may see; None means everything."""
    if not viewer.is_active:
        return Q(pk__in=[])
    if viewer.role in (Role.ADMIN, Role.SUPERVISOR):
        return None
    if viewer.role in (Role.AGENT, Role.LIGHT_AGENT):
        # a subquery, not a list: no round trip of its own each time a page checks what it may show
        team_ids = viewer.teams.values("pk")
        return Q(team__isnull=True) | Q(team__restricted=False) | Q(team_id__in=team_ids) | Q(assignee_id=viewer.pk)
    # customers see their own tickets and those they are copied on
    contact = getattr(viewer, "contact", None)
    if contact is None:
        return Q(pk__in=[])
    return Q(requester_id=contact.pk) | Q(ccs=contact.pk)


def visible_tickets(viewer: User, qs: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    qs = Ticket.objects.all() if qs is None else qs
    q = visibility_q(viewer)
    if q is None:
        return qs
    if viewer.is_customer:
        return qs.filter(pk__in=Ticket.objects.filter(q).values("pk"))
    return qs.filter(q)


def can_view(viewer: User, ticket: Ticket) -> bool:
    return visible_tickets(viewer, Ticket.objects.filter(pk=ticket.pk)).exists()


def can_see_notes(viewer: User) -> bool:
    return viewer.is_active and viewer.is_agent


def can_reply_publicly(viewer: User) -> bool:
    """Light agents write internal notes only; customers reply on their own tickets."""
    return viewer.is_active and viewer.role != Role.LIGHT_AGENT


def can_edit(viewer: User) -> bool:
    """Change properties (status, assignee, fields, …): full agents only."""
    return viewer.is_active and viewer.is_full_agent


def require_edit(viewer: User) -> None:
    if not can_edit(viewer):
        raise PermissionDenied("You may not change tickets.")
