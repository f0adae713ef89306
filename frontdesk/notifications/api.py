"""/notifications: the caller's own in-app notifications (the workspace's bell)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from frontdesk.accounts.api_auth import caller
from frontdesk.core.api_utils import errors
from frontdesk.core.errors import PermissionDenied, ValidationError
from frontdesk.core.pagination import keyset_page
from frontdesk.notifications import selectors, services
from frontdesk.notifications.schemas import MarkReadIn, MarkReadOut, NotificationPageOut

router = Router(tags=["notifications"])


def _agent(request: HttpRequest) -> Any:
    user = caller(request)
    if not user.is_agent:
        raise PermissionDenied("Notifications are for agents.")
    return user


@router.get("/notifications", response={200: NotificationPageOut, **errors(401, 403, 422)},
            url_name="notifications_list")
def list_notifications(
    request: HttpRequest, unread: bool = False, cursor: str | None = None, limit: int = 25
) -> dict[str, Any]:
    """The caller's notifications, newest first (``unread=true``: only unread ones)."""
    user = _agent(request)
    page = keyset_page(selectors.notification_list(viewer=user, unread_only=unread), sort="-created_at",
                       cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "unread_count": selectors.unread_count(viewer=user)}


@router.post("/notifications/mark-read", response={200: MarkReadOut, **errors(401, 403, 422)},
             url_name="notifications_mark_read")
def mark_read(request: HttpRequest, payload: MarkReadIn | None = None) -> dict[str, int]:
    """Mark notifications read: some ``ids``, those of one ``ticket_id``, or ``all``. No body at
    all marks every one (the bell's "Mark all read")."""
    user = _agent(request)
    payload = payload or MarkReadIn(ids=None, ticket_id=None, all=True)
    chosen = [payload.ids is not None, payload.ticket_id is not None, payload.all]
    if sum(chosen) != 1:
        raise ValidationError(
            "Send exactly one of ids, ticket_id or all.", fields={"ids": "one of ids, ticket_id, all"}
        )
    if payload.ids is not None:
        marked = services.mark_read(by=user, notification_ids=payload.ids)
    elif payload.ticket_id is not None:
        marked = services.mark_ticket_read(by=user, ticket_id=payload.ticket_id)
    else:
        marked = services.mark_all_read(by=user)
    return {"marked": marked, "unread_count": selectors.unread_count(viewer=user)}
