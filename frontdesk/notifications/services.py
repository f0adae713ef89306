"""Writes of notifications: created by this app's event handlers, read by the person they are for."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from frontdesk.accounts.models import STAFF_ROLES, User
from frontdesk.core.actor import Actor
from frontdesk.core.ids import MAX_ID
from frontdesk.notifications.models import Notification, NotificationKind
from frontdesk.notifications.selectors import BellState, bell_key
from frontdesk.tickets import policies
from frontdesk.tickets.models import Ticket


def notify(
    *,
    actor: Actor,
    event_id: int,
    kind: NotificationKind,
    ticket_id: int,
    recipient_ids: Iterable[int | None],
    message_id: int | None = None,
    actor_contact_id: int | None = None,
    exclude: Iterable[int | None] = (),
) -> list[Notification]:
    """One notification per recipient of an event. Nobody is told about their own doing (the
    actor, and whoever is in ``exclude``), and only active staff who may see the ticket are told.
    Delivered again, the same event adds nothing (one row per event and recipient)."""
    skip = {pk for pk in (actor.user_id, *exclude) if pk}
    wanted = {pk for pk in recipient_ids if pk and pk not in skip}
    if not wanted:
        return []
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return []
    people = [
        user for user in User.objects.filter(pk__in=wanted, is_active=True, role__in=STAFF_ROLES).order_by("pk")
        if policies.can_view(user, ticket)
    ]
    label = "" if actor.kind == "user" or actor_contact_id else actor.label[:200]
    rows = [
        Notification(
            recipient=user, kind=kind, ticket_id=ticket.pk, message_id=message_id,
            actor_id=actor.user_id if actor.kind == "user" else None, actor_contact_id=actor_contact_id,
            actor_label=label, event_id=event_id,
        )
        for user in people
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        _forget_bells([user.pk for user in people])
    return rows


def _forget_bells(user_ids: Iterable[int]) -> None:
    """Their bells changed: drop the cached ones now and again after commit (a page drawn meanwhile
    may have cached the old state)."""
    keys = [bell_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def _read(qs: QuerySet[Notification], user_id: int) -> int:
    changed = qs.filter(read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        _forget_bells([user_id])
    return changed


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _ids(values: Iterable[object]) -> list[int]:
    return [v for v in values if _is_id(v)]  # type: ignore[misc]


def mark_read(*, by: User, notification_ids: Iterable[object]) -> int:
    """Mark some of ``by``'s own notifications read; others' are left alone. How many changed."""
    ids = _ids(notification_ids)
    if not ids:
        return 0
    with transaction.atomic():
        return _read(Notification.objects.filter(recipient_id=by.pk, pk__in=ids), by.pk)


def mark_all_read(*, by: User) -> int:
    with transaction.atomic():
        return _read(Notification.objects.filter(recipient_id=by.pk), by.pk)


def mark_ticket_read(*, by: User, ticket_id: int) -> int:
    """``by`` opened the ticket: its notifications for them are read, with one UPDATE on the index of
    unread rows, or no query at all when their cached bell shows nothing unread on this ticket."""
    if not getattr(by, "is_authenticated", False) or not _is_id(ticket_id):
        return 0
    state = cache.get(bell_key(by.pk))
    if isinstance(state, BellState):
        listed = [item for item in state.items if item.unread]
        if len(listed) == state.unread and all(item.ticket_id != ticket_id for item in listed):
            return 0  # every unread one is listed there (the cache is cleared whenever that changes)
    return _read(Notification.objects.filter(recipient_id=by.pk, ticket_id=ticket_id), by.pk)
