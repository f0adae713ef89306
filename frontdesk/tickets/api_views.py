"""Saved views (queues): /views, their tickets and counts; and /customers/{id}/360."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from frontdesk.accounts.api_auth import caller
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import ObjectId, PageOut, StrictIn, idempotent, page_response
from frontdesk.core.ids import MAX_ID
from frontdesk.core.pagination import keyset_page
from frontdesk.tickets import queue_selectors
from frontdesk.tickets.contact360 import contact_360
from frontdesk.tickets.schemas import Sort, TicketOut
from frontdesk.tickets.services import queues

router = Router(tags=["views"])


class ViewOut(Schema):
    id: int
    name: str
    filters: dict[str, Any]
    sort: str
    shared: bool
    team_id: int | None
    owner_id: int | None
    position: int
    created_at: datetime

    @staticmethod
    def resolve_shared(obj: Any) -> bool:
        return obj.owner_id is None


class ViewIn(StrictIn):
    name: str = Field(..., max_length=100)
    filters: dict[str, Any] = {}
    sort: Sort = "-updated_at"
    shared: bool = False
    team_id: ObjectId | None = None
    position: int = Field(0, ge=0, le=1_000_000)


class ViewPatchIn(StrictIn):
    name: str | None = Field(None, max_length=100)
    filters: dict[str, Any] | None = None
    sort: Sort | None = None
    shared: bool | None = None
    team_id: ObjectId | None = None
    position: int | None = Field(None, ge=0, le=1_000_000)


class ViewCountOut(Schema):
    view_id: int
    count: int
    capped: bool = Field(description="true when there are more than `count` tickets (show '1000+')")


class ViewCountsOut(Schema):
    items: list[ViewCountOut]


class CountsQuery(Schema):
    id: list[int] | None = None


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(25, ge=1, le=200)


@router.get("/views", response=PageOut[ViewOut])
def list_views(request: HttpRequest, page: Query[PageQuery]) -> Any:
    qs = queue_selectors.view_list(viewer=caller(request))
    return page_response(keyset_page(qs, sort="position", cursor=page.cursor, limit=page.limit))


@router.post("/views", response={201: ViewOut})
def create_view(request: HttpRequest, payload: ViewIn) -> HttpResponse:
    def create() -> ViewOut:
        user = caller(request)
        view = queues.view_create(actor=Actor.of(user), **payload.model_dump())
        return ViewOut.from_orm(view)

    return idempotent(request, 201, create)


@router.get("/views/counts", response=ViewCountsOut)
def view_counts(request: HttpRequest, params: Query[CountsQuery]) -> Any:
    """Ticket counts of the viewer's views (or of the views named by ``id``), each capped at 1000."""
    views = queue_selectors.view_list(viewer=caller(request))
    if params.id:
        views = views.filter(pk__in=[i for i in params.id if 1 <= i <= MAX_ID][:200])
    views = views[: queue_selectors.MAX_VIEWS_PER_OWNER * 2]
    counts = queue_selectors.view_counts(viewer=caller(request), views=list(views))
    return {"items": [{"view_id": pk, **c} for pk, c in counts.items()]}


@router.get("/views/{view_id}", response=ViewOut)
def get_view(request: HttpRequest, view_id: int) -> Any:
    return queue_selectors.view_get(viewer=caller(request), view_id=view_id)


@router.patch("/views/{view_id}", response=ViewOut)
def patch_view(request: HttpRequest, view_id: int, payload: ViewPatchIn) -> Any:
    user = caller(request)
    view = queue_selectors.view_get(viewer=user, view_id=view_id)
    given = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in given.items() if v is not None or k == "team_id"}  # a null team_id clears it
    return queues.view_update(actor=Actor.of(user), view=view, **changes)


@router.delete("/views/{view_id}", response={204: None})
def delete_view(request: HttpRequest, view_id: int) -> Any:
    user = caller(request)
    view = queue_selectors.view_get(viewer=user, view_id=view_id)
    queues.view_delete(actor=Actor.of(user), view=view)
    return Status(204, None)


@router.get("/views/{view_id}/tickets", response=PageOut[TicketOut])
def view_tickets(request: HttpRequest, view_id: int, page: Query[PageQuery]) -> Any:
    """The view's tickets in its sort order, keyset-paginated like GET /tickets."""
    user = caller(request)
    view = queue_selectors.view_get(viewer=user, view_id=view_id)
    qs = queue_selectors.view_tickets(viewer=user, view=view)
    return page_response(keyset_page(qs, sort=view.sort, cursor=page.cursor, limit=page.limit))


# --- contact 360 -------------------------------------------------------------------------------


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    is_primary: bool


class TicketSummaryOut(Schema):
    id: int
    subject: str
    status: str
    status_category: str
    priority: int
    channel: str
    created_at: datetime
    updated_at: datetime


class PurchaseOut(Schema):
    id: int
    product: str
    sku: str
    amount: Decimal
    currency: str
    status: str
    purchased_at: datetime


class TimelineItemOut(Schema):
    kind: str = Field(description="message | note | event | purchase")
    at: datetime
    id: int
    channel: str
    direction: str = Field(description="in (from the contact) | out (to the contact) | internal | ''")
    ticket_id: int | None
    ticket_subject: str
    summary: str


class ChannelCountOut(Schema):
    channel: str
    open: int
    total: int


class Contact360Out(Schema):
    id: int
    name: str
    primary_email: str
    language: str
    time_zone: str
    vip: bool
    tier: str
    notes: str
    organisation_id: int | None
    organisation_name: str | None
    lifetime_value: Decimal
    purchase_count: int
    created_at: datetime
    identities: list[IdentityOut]
    open_tickets: list[TicketSummaryOut]
    recent_tickets: list[TicketSummaryOut]
    purchases: list[PurchaseOut]
    timeline: list[TimelineItemOut]
    channels: list[ChannelCountOut]


@router.get("/customers/{contact_id}/360", response=Contact360Out, tags=["customers"])
def customer_360(request: HttpRequest, contact_id: int) -> Any:
    """A contact's profile, open and recent tickets, purchases and latest 50 interactions."""
    return contact_360(viewer=caller(request), contact_id=contact_id)
