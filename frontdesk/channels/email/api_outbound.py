"""GET /api/v1/tickets/{ticket_id}/emails: the outgoing mail of a ticket and where each stands,
so failed deliveries show on the ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from frontdesk.accounts.api_auth import caller
from frontdesk.channels.email.selectors import outbound_for_ticket
from frontdesk.core.api_utils import PageOut, page_response
from frontdesk.core.pagination import keyset_page

router = Router(tags=["email"])


class OutboundEmailOut(Schema):
    id: int
    ticket_id: int
    message_id: int | None
    kind: str
    to: list[str]
    cc: list[str]
    subject: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime


@router.get("/tickets/{ticket_id}/emails", response=PageOut[OutboundEmailOut])
def list_ticket_emails(request: HttpRequest, ticket_id: int, cursor: str | None = None, limit: int = 50) -> Any:
    qs = outbound_for_ticket(viewer=caller(request), ticket_id=ticket_id)
    return page_response(keyset_page(qs, sort="-created_at", cursor=cursor, limit=limit))
