from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from frontdesk.core.api_utils import ObjectId, StrictIn


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="mention | assigned | customer_reply")
    ticket_id: int
    ticket_subject: str
    message_id: int | None
    actor_user_id: int | None
    actor_contact_id: int | None
    actor_name: str = Field(description="who did it, as the bell shows it (empty: the system)")
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_ticket_subject(obj: Any) -> str:
        return obj.ticket.subject

    @staticmethod
    def resolve_actor_user_id(obj: Any) -> int | None:
        return obj.actor_id

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        for person in (obj.actor, obj.actor_contact):
            if person is not None:
                return person.name or getattr(person, "email", "") or getattr(person, "primary_email", "") or ""
        return obj.actor_label


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None = None
    unread_count: int = Field(description="unread notifications, counted up to 100")


class MarkReadIn(StrictIn):
    ids: list[ObjectId] | None = Field(None, max_length=500, description="these notifications")
    ticket_id: ObjectId | None = Field(None, description="every notification on this ticket")
    all: bool = Field(False, description="every notification")


class MarkReadOut(Schema):
    marked: int
    unread_count: int
