"""Reads of tickets, messages and the audit trail: permission, then filters, then joins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from frontdesk.accounts.models import User
from frontdesk.core.errors import NotFound, PermissionDenied, ValidationError
from frontdesk.core.ids import MAX_ID, check_id
from frontdesk.fields.models import Tag
from frontdesk.tickets import policies
from frontdesk.tickets.models import (
    Attachment,
    Message,
    MessageKind,
    Priority,
    Ticket,
    TicketAudit,
    TicketLink,
    TicketStatus,
)

PRIORITY_NAMES = {label.lower(): value for value, label in Priority.choices}

FILTERS = frozenset(
    {
        "status",
        "status_category",
        "priority",
        "type",
        "channel",
        "team_id",
        "assignee_id",
        "requester_id",
        "organisation_id",
        "brand_id",
        "tag",
        "created_after",
        "created_before",
        "updated_after",
        "updated_before",
    }
)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    if isinstance(value, str) and "," in value:
        return [v for v in value.split(",") if v]
    return [value]


def _int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError("Filter values are not valid.", fields={key: "an id"})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("Filter values are not valid.", fields={key: "an id"}) from None
    if number < 1 or number > MAX_ID:
        raise ValidationError("Filter values are not valid.", fields={key: "an id in range"})
    return number


def _ids(key: str, value: Any, viewer: User) -> Q:
    """Filter on an id field; ``assignee_id``/``team_id`` also take "none", assignee_id "me"."""
    field = key
    ids: list[int] = []
    none = False
    for item in _as_list(value):
        if item is None or item == "none":
            none = True
        elif item == "me" and key == "assignee_id":
            ids.append(viewer.pk)
        else:
            ids.append(_int(key, item))
    q = Q(**{f"{field}__in": ids}) if ids else Q(pk__in=[])
    return q | Q(**{f"{field}__isnull": True}) if none else q


def _when(key: str, value: Any) -> datetime:
    parsed = (
        value if isinstance(value, datetime) else parse_datetime(str(value)) if value is not None else None
    )
    if parsed is None:
        raise ValidationError("Filter values are not valid.", fields={key: "an ISO 8601 date-time"})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _priority(value: Any) -> int:
    if isinstance(value, str) and value.lower() in PRIORITY_NAMES:
        return PRIORITY_NAMES[value.lower()]
    number = _int("priority", value)
    if number not in Priority.values:
        raise ValidationError("Filter values are not valid.", fields={"priority": "1-4 or low..urgent"})
    return number


def apply_filters(qs: QuerySet[Ticket], viewer: User, filters: dict[str, Any]) -> QuerySet[Ticket]:
    unknown = set(filters) - FILTERS
    if unknown:
        raise ValidationError("Unknown filters.", fields={k: "unknown filter" for k in sorted(unknown)})
    for key, value in filters.items():
        if value is None or value == [] or value == "":
            continue
        if key in ("status", "status_category", "type", "channel"):
            qs = qs.filter(**{f"{key}__in": [str(v) for v in _as_list(value)]})
        elif key == "priority":
            qs = qs.filter(priority__in=[_priority(v) for v in _as_list(value)])
        elif key == "tag":
            names = [str(v).strip().lower() for v in _as_list(value)]
            qs = qs.filter(pk__in=Ticket.tags.through.objects.filter(tag__name__in=names).values("ticket_id"))
        elif key.endswith("_after") or key.endswith("_before"):
            field = "created_at" if key.startswith("created") else "updated_at"
            op = "gte" if key.endswith("_after") else "lt"
            qs = qs.filter(**{f"{field}__{op}": _when(key, value)})
        else:
            qs = qs.filter(_ids(key, value, viewer))
    return qs


def ticket_list(*, viewer: User, filters: dict[str, Any] | None = None) -> QuerySet[Ticket]:
    """Tickets ``viewer`` may see, filtered; with the requester, assignee and tags the list shows."""
    qs = policies.visible_tickets(viewer)
    if filters:
        qs = apply_filters(qs, viewer, filters)
    return qs.select_related("requester", "assignee").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name"))
    )


def ticket_get(*, viewer: User, ticket_id: int, detail: bool = True) -> Ticket:
    """One ticket ``viewer`` may see (NotFound otherwise); ``detail=False`` loads the row alone,
    for routes that only check access before listing messages or the audit trail."""
    check_id(ticket_id, "Ticket")
    qs = policies.visible_tickets(viewer, Ticket.objects.filter(pk=ticket_id))
    if detail:
        qs = qs.select_related("requester", "assignee").prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name")), "followers", "ccs"
        )
    ticket = qs.first()
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


def message_list(*, viewer: User, ticket: Ticket) -> QuerySet[Message]:
    """Messages of a ticket ``viewer`` can see (checked by the caller with ticket_get);
    customers never see internal notes."""
    qs = Message.objects.filter(ticket_id=ticket.pk)
    if not policies.can_see_notes(viewer):
        qs = qs.filter(kind=MessageKind.PUBLIC)
    return qs.select_related("author_user", "author_contact").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk")), "mentions"
    )


def audit_list(*, viewer: User, ticket: Ticket) -> QuerySet[TicketAudit]:
    """The audit trail of a ticket: for agents only."""
    if not policies.can_see_notes(viewer):
        raise PermissionDenied("Only agents see the audit trail.")
    return TicketAudit.objects.filter(ticket_id=ticket.pk).select_related("actor_user")


def link_list(*, viewer: User, ticket: Ticket) -> list[tuple[str, TicketLink, Ticket]]:
    """The links of a ticket (checked by the caller with ticket_get) in both directions, as
    ``(direction, link, other ticket)`` with direction "out" or "in"; only other tickets the
    viewer may see. Two queries whatever the number of links."""
    visible = policies.visible_tickets(viewer)
    out = TicketLink.objects.filter(source_id=ticket.pk, target__in=visible.values("pk")).select_related("target")
    into = TicketLink.objects.filter(target_id=ticket.pk, source__in=visible.values("pk")).select_related("source")
    found: list[tuple[str, TicketLink, Ticket]] = [("out", link, link.target) for link in out.order_by("pk")[:100]]
    found += [("in", link, link.source) for link in into.order_by("pk")[:100]]
    return found


def attachment_get(*, viewer: User, attachment_id: int) -> Attachment:
    """An attachment of a ticket ``viewer`` sees; notes' attachments for agents only;
    attachments not yet sent in a message for agents and their uploader only."""
    check_id(attachment_id, "Attachment")
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Attachment not found.")
    visible = policies.visible_tickets(viewer, Ticket.objects.filter(pk=attachment.ticket_id)).exists()
    if attachment.message is None:
        allowed = viewer.is_agent or attachment.uploaded_by_id == viewer.pk
    else:
        allowed = attachment.message.kind == MessageKind.PUBLIC or policies.can_see_notes(viewer)
    if not (visible and allowed):
        raise NotFound("Attachment not found.")
    return attachment


def status_list(*, viewer: User, include_inactive: bool = False) -> QuerySet[TicketStatus]:
    qs = TicketStatus.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs


def status_get(*, viewer: User, status_id: int) -> TicketStatus:
    check_id(status_id, "Status")
    status = TicketStatus.objects.filter(pk=status_id).first()
    if status is None:
        raise NotFound("Status not found.")
    return status
