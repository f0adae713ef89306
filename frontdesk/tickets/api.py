"""REST API v1 of tickets: thin routes over tickets.services and tickets.selectors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from frontdesk.accounts.api_auth import caller
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import PageOut, check_id, errors, idempotent, page_response
from frontdesk.core.errors import ValidationError
from frontdesk.core.pagination import keyset_page
from frontdesk.tickets import filter_registry, selectors, services
from frontdesk.tickets.api_attachments import router as attachments_router
from frontdesk.tickets.schemas import (
    AuditOut,
    BulkIn,
    BulkOut,
    LinkIn,
    LinkKindIn,
    LinkOut,
    MergeIn,
    MessageIn,
    MessageOut,
    SolveIncidentsIn,
    SolveIncidentsOut,
    Sort,
    SplitIn,
    StatusCreateIn,
    StatusOut,
    StatusPatchIn,
    TicketCreateIn,
    TicketDetailOut,
    TicketOut,
    TicketPatchIn,
)
from frontdesk.tickets.services.opening import ticket_create_for_requester

router = Router(tags=["tickets"])
router.add_router("/", attachments_router)


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(caller(request))


class TicketListQuery(Schema):
    sort: Sort = "-updated_at"
    cursor: str | None = None
    limit: int = Field(25, ge=1, le=200)
    status: list[str] | None = None
    status_category: list[str] | None = None
    priority: list[str] | None = None
    type: list[str] | None = None
    channel: list[str] | None = None
    team_id: list[str] | None = None
    assignee_id: list[str] | None = None
    requester_id: list[str] | None = None
    organisation_id: list[str] | None = None
    brand_id: list[str] | None = None
    tag: list[str] | None = None
    created_after: str | None = None
    created_before: str | None = None
    updated_after: str | None = None
    updated_before: str | None = None

    def filters(self, request: HttpRequest) -> dict[str, Any]:
        """The built-in filters above, and those apps registered (tickets/filter_registry.py),
        read from the query string by their own names."""
        data = self.model_dump(exclude={"sort", "cursor", "limit"}, exclude_none=True)
        data.update({k: request.GET.getlist(k) for k in filter_registry.filters() if k in request.GET})
        return {k: v for k, v in data.items() if v != []}


# before /tickets/{ticket_id}, which would otherwise take "bulk" as an id
@router.post("/tickets/bulk", response=BulkOut)
def bulk_update(request: HttpRequest, payload: BulkIn) -> Any:
    result = services.tickets_bulk_update(
        actor=_actor(request),
        ticket_ids=list(payload.ticket_ids),
        **payload.changes.changes(),
    )
    return {"updated": result["updated"], "failed": {str(k): v for k, v in result["failed"].items()}}


@router.get("/tickets", response=PageOut[TicketOut])
def list_tickets(request: HttpRequest, q: Query[TicketListQuery]) -> Any:
    qs = selectors.ticket_list(viewer=caller(request), filters=q.filters(request))
    qs = filter_registry.sorted_tickets(qs, q.sort)
    return page_response(keyset_page(qs, sort=q.sort, cursor=q.cursor, limit=q.limit))


@router.post("/tickets", response={201: TicketDetailOut})
def create_ticket(request: HttpRequest, payload: TicketCreateIn) -> HttpResponse:
    if payload.requester is not None and payload.requester_id is not None:
        raise ValidationError("Give requester_id or requester, not both.",
                              fields={"requester": "not with requester_id"})

    def create() -> TicketDetailOut:
        if payload.requester is not None:  # by identity, found or created with the ticket
            create_for: Any = partial(ticket_create_for_requester,
                                      requester=payload.requester.model_dump(exclude_none=True))
        else:
            create_for = partial(services.ticket_create, requester=payload.requester_id)
        with _requester_fields():
            ticket = create_for(
                actor=_actor(request),
                subject=payload.subject,
                body=payload.body,
                body_html=payload.body_html,
                channel=payload.channel,
                brand=payload.brand_id,
                status=payload.status,
                priority=payload.priority,
                type=payload.type,
                team=payload.team_id,
                assignee=payload.assignee_id,
                tags=payload.tags,
                custom_fields=payload.custom_fields,
                due_at=payload.due_at,
                followers=payload.follower_ids,
                ccs=payload.cc_ids,
                cc_emails=payload.cc_emails,
            )
        return TicketDetailOut.from_orm(ticket, context={"request": request})

    return idempotent(request, 201, create)


@contextmanager
def _requester_fields() -> Iterator[None]:
    """The requester's errors named as the API's fields (``requester.email``, not the form's)."""
    try:
        yield
    except ValidationError as exc:
        renamed = {"requester_email": "requester.email", "requester_phone": "requester.phone",
                   "requester_name": "requester.name"}
        exc.fields = {renamed.get(k, k): v for k, v in exc.fields.items()}
        raise


def etag(ticket: Any) -> str:
    """The ticket's strong entity tag: its version, bumped by every write (docs/decisions/0007)."""
    return f'"{ticket.version}"'


def _tags(header: str) -> list[tuple[bool, str]]:
    """An If-Match / If-None-Match list as (weak, opaque tag) pairs; anything malformed is skipped."""
    out = []
    for part in header.split(","):
        tag = part.strip()
        weak = tag.startswith("W/")
        tag = tag[2:] if weak else tag
        if len(tag) >= 2 and tag[0] == tag[-1] == '"':
            out.append((weak, tag[1:-1]))
    return out


def if_match_versions(request: HttpRequest) -> set[int] | None:
    """The versions an If-Match header accepts (RFC 9110: strong comparison, so weak tags never
    match); None when there is no header or it is ``*`` (the ticket exists, or the answer is 404)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    return {int(tag) for weak, tag in _tags(header) if not weak and tag.isdigit() and len(tag) < 19}


@router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, 304: None})
def get_ticket(request: HttpRequest, response: HttpResponse, ticket_id: int) -> Any:
    """The ticket, with its `ETag` (send it back in `If-Match` on `PATCH`). With `If-None-Match`
    naming the current tag the answer is `304 Not Modified` without a body."""
    ticket = selectors.ticket_get(viewer=caller(request), ticket_id=ticket_id)
    tag = etag(ticket)
    response["ETag"] = tag
    none_match = request.headers.get("If-None-Match")
    if none_match is not None and (none_match.strip() == "*" or any(t == tag[1:-1] for _, t in _tags(none_match))):
        return Status(304, None)
    return ticket


@router.patch("/tickets/{ticket_id}", response={200: TicketDetailOut, **errors(404, 409, 412, 422)})
def update_ticket(request: HttpRequest, response: HttpResponse, ticket_id: int, payload: TicketPatchIn) -> Any:
    """Change the fields sent. With `If-Match: "<ETag>"` the change is made only if the ticket is
    still at that version, else `412 precondition_failed` and nothing changes; without it the fields
    sent are applied as they are. The answer carries the new `ETag`."""
    services.ticket_update(
        actor=_actor(request),
        ticket=check_id(ticket_id, "Ticket"),
        if_version=if_match_versions(request),
        **payload.changes(),
    )
    ticket = selectors.ticket_get(viewer=caller(request), ticket_id=ticket_id)
    response["ETag"] = etag(ticket)
    return ticket


@router.get("/tickets/{ticket_id}/messages", response=PageOut[MessageOut])
def list_messages(request: HttpRequest, ticket_id: int, cursor: str | None = None, limit: int = 50) -> Any:
    viewer = caller(request)
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id, detail=False)
    qs = selectors.message_list(viewer=viewer, ticket=ticket)
    return page_response(keyset_page(qs, sort="created_at", cursor=cursor, limit=limit))


@router.post("/tickets/{ticket_id}/messages", response={201: MessageOut})
def add_message(request: HttpRequest, ticket_id: int, payload: MessageIn) -> HttpResponse:
    def create() -> MessageOut:
        message = services.message_add(
            actor=_actor(request),
            ticket=check_id(ticket_id, "Ticket"),
            body=payload.body,
            body_html=payload.body_html,
            kind=payload.kind,
            attachments=list(payload.attachment_ids),
            set_status=payload.set_status,
        )
        return MessageOut.from_orm(message)

    return idempotent(request, 201, create)


@router.get("/tickets/{ticket_id}/audit", response=PageOut[AuditOut])
def list_audit(request: HttpRequest, ticket_id: int, cursor: str | None = None, limit: int = 100) -> Any:
    viewer = caller(request)
    ticket = selectors.ticket_get(viewer=viewer, ticket_id=ticket_id, detail=False)
    qs = selectors.audit_list(viewer=viewer, ticket=ticket)
    return page_response(keyset_page(qs, sort="id", cursor=cursor, limit=limit))


@router.post("/tickets/{ticket_id}/merge", response=TicketDetailOut)
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    """Merge this ticket into `target_id`: its messages, attachments, followers and tags move there
    and it is closed. When the two requesters differ the merge is refused with `409
    requesters_differ` unless `requester` says whose the merged ticket keeps (its requester and CCs
    read every message of both); the other requester is copied only with `other_requester_as_cc`."""
    target = services.tickets_merge(
        actor=_actor(request),
        source=check_id(ticket_id, "Ticket"),
        target=payload.target_id,
        requester=payload.requester,
        ccs=payload.ccs,
        other_requester_as_cc=payload.other_requester_as_cc,
    )
    return selectors.ticket_get(viewer=caller(request), ticket_id=target.pk)


@router.post("/tickets/{ticket_id}/split", response={201: TicketDetailOut})
def split_ticket(request: HttpRequest, ticket_id: int, payload: SplitIn) -> Any:
    new = services.ticket_split(
        actor=_actor(request),
        ticket=check_id(ticket_id, "Ticket"),
        message_ids=list(payload.message_ids),
    )
    return Status(201, selectors.ticket_get(viewer=caller(request), ticket_id=new.pk))


@router.post("/tickets/{ticket_id}/links", response={201: LinkOut})
def link_ticket(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Any:
    link = services.ticket_link(
        actor=_actor(request),
        source=check_id(ticket_id, "Ticket"),
        target=payload.target_id,
        kind=payload.kind,
    )
    return Status(201, link)


@router.delete("/tickets/{ticket_id}/links", response={204: None})
def unlink_ticket(request: HttpRequest, ticket_id: int, target_id: int, kind: LinkKindIn = "related") -> Any:
    services.ticket_unlink(
        actor=_actor(request),
        source=check_id(ticket_id, "Ticket"),
        target=check_id(target_id, "Ticket"),
        kind=kind,
    )
    return Status(204, None)


@router.post("/tickets/{ticket_id}/solve-incidents", response=SolveIncidentsOut)
def solve_incidents(request: HttpRequest, ticket_id: int, payload: SolveIncidentsIn) -> Any:
    return services.problem_solve(
        actor=_actor(request),
        problem=check_id(ticket_id, "Ticket"),
        body=payload.body,
    )


@router.get("/statuses", response=list[StatusOut])
def list_statuses(request: HttpRequest, include_inactive: bool = False) -> Any:
    return selectors.status_list(viewer=caller(request), include_inactive=include_inactive)


@router.post("/statuses", response={201: StatusOut})
def create_status(request: HttpRequest, payload: StatusCreateIn) -> HttpResponse:
    return idempotent(
        request,
        201,
        lambda: StatusOut.from_orm(
            services.status_create(actor=_actor(request), **payload.model_dump())
        ),
    )


@router.patch("/statuses/{status_id}", response=StatusOut)
def update_status(request: HttpRequest, status_id: int, payload: StatusPatchIn) -> Any:
    viewer = caller(request)
    status = selectors.status_get(viewer=viewer, status_id=status_id)
    return services.status_update(
        actor=_actor(request), status=status, **payload.model_dump(exclude_unset=True)
    )
