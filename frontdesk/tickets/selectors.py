"""Reads of tickets, messages and the audit trail: permission, then filters, then joins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.cache import remembered
from frontdesk.core.errors import NotFound, PermissionDenied
from frontdesk.core.ids import check_id
from frontdesk.fields.models import Tag
from frontdesk.tickets import policies
from frontdesk.tickets.filters import TicketFilters, as_filters
from frontdesk.tickets.models import (
    Attachment,
    Message,
    MessageKind,
    Ticket,
    TicketAudit,
    TicketLink,
    TicketStatus,
)


def ticket_list(
    *, viewer: User, filters: TicketFilters | Mapping[str, Any] | None = None
) -> QuerySet[Ticket]:
    """Tickets ``viewer`` may see, filtered (a TicketFilters or its dict form); with the
    requester, assignee and tags the list shows."""
    qs = policies.visible_tickets(viewer)
    if filters:
        qs = as_filters(filters).apply(qs, viewer)
    return qs.select_related("requester", "assignee").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name"))
    )


def ticket_get(*, viewer: User, ticket_id: int, detail: bool = True) -> Ticket:
    """One ticket ``viewer`` may see (NotFound otherwise); ``detail=False`` loads the row alone,
    for routes that only check access before listing messages or the audit trail."""
    check_id(ticket_id, "Ticket")
    qs = policies.visible_tickets(viewer, Ticket.objects.filter(pk=ticket_id))
    if detail:
        qs = qs.select_related("requester__organisation", "assignee").prefetch_related(
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
    viewer may see. One query for a ticket without links (most), two otherwise: the links by
    their indexes, then which of the few other tickets the viewer may see (never a scan of
    every visible ticket)."""
    links = list(
        TicketLink.objects.filter(Q(source_id=ticket.pk) | Q(target_id=ticket.pk))
        .select_related("source", "target").order_by("pk")[:200]
    )
    if not links:
        return []
    others = {link.target_id if link.source_id == ticket.pk else link.source_id for link in links}
    seen = set(policies.visible_tickets(viewer, Ticket.objects.filter(pk__in=others)).values_list("pk", flat=True))
    found: list[tuple[str, TicketLink, Ticket]] = []
    for direction in ("out", "in"):
        for link in links:
            outgoing = link.source_id == ticket.pk
            other = link.target if outgoing else link.source
            if outgoing == (direction == "out") and other.pk in seen:
                found.append((direction, link, other))
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


STATUSES_KEY = "ticket-statuses"


def status_choices() -> list[TicketStatus]:
    """Every status, inactive ones too, in order: what pages label and offer (the same for
    everyone). Cached: a few rows read on every page; status_create and status_update forget them. A page never
    writes statuses, so what it reads inside a transaction is committed data."""
    return remembered(STATUSES_KEY, lambda: list(TicketStatus.objects.all()), in_transaction=True)


def status_get(*, viewer: User, status_id: int) -> TicketStatus:
    check_id(status_id, "Status")
    status = TicketStatus.objects.filter(pk=status_id).first()
    if status is None:
        raise NotFound("Status not found.")
    return status


def last_public_messages(*, viewer: User, ticket_ids: list[int]) -> dict[int, Message]:
    """The latest public message of each of ``ticket_ids`` (tickets the caller already listed for
    ``viewer``): who wrote it, when, and its text. One query whatever the number."""
    if not ticket_ids:
        return {}
    latest = (
        Message.objects.filter(ticket_id__in=ticket_ids, kind=MessageKind.PUBLIC)
        .values("ticket_id").annotate(last=Max("pk")).values_list("last", flat=True)
    )
    rows = Message.objects.filter(pk__in=latest).only(
        "pk", "ticket_id", "author_contact_id", "author_user_id", "created_at", "body"
    )
    return {m.ticket_id: m for m in rows}
