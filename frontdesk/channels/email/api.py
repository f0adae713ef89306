"""Inbound mail over HTTP (MTA pipes, providers' inbound webhooks), the raw original for agents,
and the quarantine for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Header, Query, Router, Schema, Status

from frontdesk.accounts.api_auth import caller
from frontdesk.channels.email import inbound
from frontdesk.channels.email.inbound_http import request_message, request_secret
from frontdesk.channels.email.intake import intake
from frontdesk.core.api_utils import PageOut, page_response
from frontdesk.core.errors import NotFound
from frontdesk.core.pagination import keyset_page

router = Router(tags=["email"])


class InboundAccepted(Schema):
    id: int
    status: str
    ticket_id: int | None = None


class InboundOut(Schema):
    id: int
    mailbox_id: int | None
    source: str
    sender: str
    header_id: str
    size: int
    status: str
    reason: str
    attempts: int
    ticket_id: int | None
    received_at: datetime
    processed_at: datetime | None


@router.post("/mail/inbound/{mailbox_id}", auth=None, response={202: InboundAccepted})
def post_inbound(
    request: HttpRequest,
    mailbox_id: int,
    x_mailbox_secret: str = Header("", alias="X-Mailbox-Secret"),
    secret: str = Query("", description="The mailbox secret, for providers that cannot set a header."),
) -> Any:
    """Accept one raw RFC 5322 message, authenticated by the mailbox's inbound secret: the
    ``X-Mailbox-Secret`` header, the password of HTTP Basic auth, or ``?secret=``. A wrong or missing
    secret answers 404, like an unknown mailbox.

    The body is the message itself (``message/rfc822``, ``application/octet-stream``, ...), or a
    provider's wrapping of it: the form field ``email`` (SendGrid Inbound Parse, raw mode) or
    ``body-mime`` (Mailgun, a route to a URL ending in ``mime``) in ``multipart/form-data`` or
    ``application/x-www-form-urlencoded``, or the member ``RawEmail`` of a JSON object (Postmark).
    Any other form or JSON answers 400; a message over the mailbox's limit 413.

    202 means stored: the message is processed just after the answer, so its ``status`` is
    ``received`` and ``ticket_id`` null (``GET /mail/quarantine`` lists it if it is refused)."""
    mailbox = inbound.mailbox_for_secret(mailbox_id, request_secret(request, x_mailbox_secret, secret))
    raw = request_message(request, mailbox.max_message_bytes)
    row = intake.submit(inbound.receive_raw(mailbox=mailbox, raw=raw, source="http"))
    return Status(202, {"id": row.pk, "status": row.status, "ticket_id": row.ticket_id})


@router.post("/mail/inbound/{mailbox_id}/mime", auth=None, response={202: InboundAccepted})
def post_inbound_mime(
    request: HttpRequest,
    mailbox_id: int,
    x_mailbox_secret: str = Header("", alias="X-Mailbox-Secret"),
    secret: str = Query("", description="The mailbox secret, for providers that cannot set a header."),
) -> Any:
    """The same as ``POST /mail/inbound/{mailbox_id}``, for Mailgun: a route posts the raw message
    (``body-mime``) only to a URL that ends with ``mime``, so the secret goes in the URL's user
    information (HTTP Basic auth)."""
    return post_inbound(request, mailbox_id, x_mailbox_secret, secret)


@router.get("/mail/inbound/{inbound_id}/raw")
def download_raw(request: HttpRequest, inbound_id: int) -> FileResponse:
    """The original message as it arrived (``.eml``), for agents who can see its ticket."""
    row = inbound.inbound_get(caller(request), inbound_id)
    if not row.raw:
        raise NotFound("Message not found.")
    response = FileResponse(row.raw.open("rb"), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{row.pk}.eml"'
    response["Content-Length"] = str(row.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/mail/quarantine", response=PageOut[InboundOut])
def list_quarantine(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Any:
    """Quarantined messages with their reasons (admins)."""
    qs = inbound.quarantine_list(caller(request))
    return page_response(keyset_page(qs, sort="-id", cursor=cursor, limit=limit))


@router.post("/mail/inbound/{inbound_id}/reprocess", response=InboundOut)
def reprocess_inbound(request: HttpRequest, inbound_id: int) -> Any:
    """Run a quarantined message through the pipeline again (admins)."""
    viewer = caller(request)
    inbound.quarantine_list(viewer)  # admins only
    row = inbound.inbound_get(viewer, inbound_id)
    return inbound.reprocess(row.pk)
