"""Events of tickets. Recorded by tickets.services; the audit trail, the search index and
(later) SLA, routing, automation and notifications react to them."""

from __future__ import annotations

from typing import Any, ClassVar

from frontdesk.core.events import Event


class TicketCreated(Event):
    name: ClassVar[str] = "ticket.created"
    ticket_id: int
    # a snapshot of the initial properties: subject, status, priority, type, channel, brand_id,
    # team_id, assignee_id, requester_id, tags, custom_fields, due_at
    fields: dict[str, Any]


class TicketUpdated(Event):
    name: ClassVar[str] = "ticket.updated"
    ticket_id: int
    changes: dict[str, Any]  # field -> [old, new]; tags/followers/ccs as sorted lists


class MessageAdded(Event):
    name: ClassVar[str] = "ticket.message_added"
    ticket_id: int
    message_id: int
    kind: str  # public | note
    channel: str
    author_user_id: int | None = None
    author_contact_id: int | None = None
    mentioned_user_ids: list[int] = []
    attachment_ids: list[int] = []
    # the message that opened the ticket (recorded right after TicketCreated, in the same transaction)
    opening: bool = False


class TicketsMerged(Event):
    name: ClassVar[str] = "ticket.merged"
    source_id: int
    target_id: int
    moved_message_ids: list[int]


class TicketSplit(Event):
    name: ClassVar[str] = "ticket.split"
    source_id: int
    new_ticket_id: int
    message_ids: list[int]


class TicketLinked(Event):
    name: ClassVar[str] = "ticket.linked"
    source_id: int
    target_id: int
    kind: str


class TicketUnlinked(Event):
    name: ClassVar[str] = "ticket.unlinked"
    source_id: int
    target_id: int
    kind: str


class TicketStatusSaved(Event):
    name: ClassVar[str] = "ticket_status.saved"
    status_id: int
    changes: dict[str, Any]


class ViewSaved(Event):
    name: ClassVar[str] = "view.saved"
    view_id: int
    changes: dict[str, Any]


class ViewDeleted(Event):
    name: ClassVar[str] = "view.deleted"
    view_id: int
