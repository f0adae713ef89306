"""GET /search: tickets, customers and organisations from one search box."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from frontdesk.accounts.api_auth import caller
from frontdesk.tickets.search import KINDS, MAX_LIMIT, search

router = Router(tags=["search"])

Kind = Literal["tickets", "customers", "organisations"]


class SearchQuery(Schema):
    q: str = ""
    kind: list[Kind] | None = None
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class TicketHitOut(Schema):
    id: int
    subject: str
    status: str
    status_category: str
    priority: int
    requester_id: int
    requester_name: str
    updated_at: datetime
    subject_highlight: str = Field(description="HTML: the subject, escaped, with matches in <mark>")
    snippet: str | None = Field(None, description="HTML: an escaped excerpt of a matching message")


class ContactHitOut(Schema):
    id: int
    name: str
    primary_email: str
    organisation_id: int | None
    organisation_name: str | None
    highlight: str


class OrganisationHitOut(Schema):
    id: int
    name: str
    highlight: str


class SearchOut(Schema):
    tickets: list[TicketHitOut] = []
    customers: list[ContactHitOut] = []
    organisations: list[OrganisationHitOut] = []


@router.get("/search", response=SearchOut)
def search_all(request: HttpRequest, params: Query[SearchQuery]) -> Any:
    """Search as you type: every word must match, the last one as a prefix. Customers get
    their own tickets only; agents also get contacts and organisations."""
    kinds = tuple(params.kind) if params.kind else KINDS
    return search(viewer=caller(request), q=params.q, kinds=kinds, limit=params.limit)
