"""Reads of notifications: a person sees only their own, and only on tickets they may still see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import QuerySet

from frontdesk.accounts.models import User
from frontdesk.notifications.models import Notification
from frontdesk.tickets import policies
from frontdesk.tickets.models import Ticket

UNREAD_CAP = 99  # the bell shows "99+" beyond this: the count never scans more rows


def notification_list(*, viewer: User, unread_only: bool = False) -> QuerySet[Notification]:
    """``viewer``'s notifications, newest first, with what the list shows (ticket subject, who)."""
    if not viewer.is_authenticated or not viewer.is_active or not viewer.is_agent:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=viewer.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    q = policies.visibility_q(viewer)
    if q is not None:  # the ticket's team may have been restricted since
        qs = qs.filter(ticket__in=Ticket.objects.filter(q).values("pk"))
    return qs.select_related("ticket", "actor", "actor_contact").only(
        "id", "kind", "created_at", "read_at", "message_id", "actor_label", "event_id",
        "ticket__id", "ticket__subject", "recipient_id",
        "actor__id", "actor__name", "actor__email", "actor_contact__id", "actor_contact__name",
        "actor_contact__primary_email",
    ).order_by("-created_at", "-id")


def unread_count(*, viewer: User) -> int:
    """How many of ``viewer``'s notifications are unread, counted up to ``UNREAD_CAP + 1`` on the
    partial index of unread rows (so the bell costs one small query per page)."""
    if not viewer.is_authenticated or not viewer.is_active or not viewer.is_agent:
        return 0
    return Notification.objects.filter(recipient_id=viewer.pk, read_at__isnull=True)[: UNREAD_CAP + 1].count()


# --- the bell: what every workspace page's top bar shows, cached per person ----------------------

BELL_LATEST = 12
BELL_SECONDS = 60  # at most this stale: a renamed subject, a ticket hidden since (new and read ones clear it)


def bell_key(user_id: int) -> str:
    return f"frontdesk:bell:{user_id}"


@dataclass(frozen=True)
class BellPerson:
    pk: int
    name: str
    email: str
    avatar_kind: str  # "user" | "contact": the avatar's colour is the same as on other pages


@dataclass(frozen=True)
class BellItem:
    id: int
    kind: str
    ticket_id: int
    ticket_subject: str
    message_id: int | None
    created_at: datetime
    unread: bool
    who: BellPerson | None
    actor_label: str


@dataclass(frozen=True)
class BellState:
    unread: int
    items: list[BellItem]


def _person(n: Notification) -> BellPerson | None:
    if n.actor is not None:
        return BellPerson(n.actor.pk, n.actor.name, n.actor.email, "user")
    if n.actor_contact is not None:
        return BellPerson(n.actor_contact.pk, n.actor_contact.name, n.actor_contact.primary_email, "contact")
    return None


def bell(*, viewer: User) -> BellState:
    """``viewer``'s unread count and latest notifications. Cached per person (no query on most
    pages); a new notification for them, or one they read, clears it at once."""
    if not viewer.is_authenticated or not viewer.is_active or not viewer.is_agent:
        return BellState(0, [])
    key = bell_key(viewer.pk)
    state = cache.get(key)
    if isinstance(state, BellState):
        return state
    items = [
        BellItem(
            id=n.pk, kind=n.kind, ticket_id=n.ticket_id, ticket_subject=n.ticket.subject, message_id=n.message_id,
            created_at=n.created_at, unread=n.read_at is None, who=_person(n), actor_label=n.actor_label,
        )
        for n in notification_list(viewer=viewer)[:BELL_LATEST]
    ]
    state = BellState(unread=unread_count(viewer=viewer), items=items)
    # cached even inside a transaction (a test's): every write of notifications clears the key at
    # once and again after commit, so nothing outlives the write that changed it
    cache.set(key, state, BELL_SECONDS)
    return state
