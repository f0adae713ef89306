"""Mailboxes over the API (admins). Passwords are accepted but never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from frontdesk.accounts.api_auth import caller
from frontdesk.channels.email import mailboxes
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import PageOut, StrictIn, errors, idempotent, omittable, page_response
from frontdesk.core.ids import ObjectId
from frontdesk.core.pagination import keyset_page

router = Router(tags=["email"])


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    brand_id: int
    team_id: int | None
    active: bool
    imap_host: str
    imap_port: int
    imap_ssl: bool
    imap_user: str
    imap_password_set: bool
    imap_folder: str
    imap_move_to: str
    max_message_bytes: int
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password_set: bool
    smtp_starttls: bool
    smtp_ssl: bool
    auto_acknowledge: bool
    inbound_secret: str  # admins configure providers' webhooks with it
    created_at: datetime

    @staticmethod
    def resolve_imap_password_set(obj: Any) -> bool:
        return bool(obj.imap_password)

    @staticmethod
    def resolve_smtp_password_set(obj: Any) -> bool:
        return bool(obj.smtp_password)


class MailboxIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    address: str = Field(max_length=254)
    brand_id: ObjectId
    team_id: ObjectId | None = None
    active: bool = True
    imap_host: str = Field("", max_length=253)
    imap_port: int = Field(993, ge=1, le=65535)
    imap_ssl: bool = True
    imap_user: str = Field("", max_length=254)
    imap_password: str = Field("", max_length=254)
    imap_folder: str = Field("INBOX", max_length=200)
    imap_move_to: str = Field("", max_length=200)
    max_message_bytes: int = Field(25 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    smtp_host: str = Field("", max_length=253)
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str = Field("", max_length=254)
    smtp_password: str = Field("", max_length=254)
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    auto_acknowledge: bool = True


class MailboxPatch(StrictIn):
    name: str = omittable(min_length=1, max_length=100)
    address: str = omittable(max_length=254)
    brand_id: ObjectId = omittable()
    team_id: ObjectId | None = None
    active: bool = omittable()
    imap_host: str = omittable(max_length=253)
    imap_port: int = omittable(ge=1, le=65535)
    imap_ssl: bool = omittable()
    imap_user: str = omittable(max_length=254)
    imap_password: str = omittable(max_length=254)
    imap_folder: str = omittable(max_length=200)
    imap_move_to: str = omittable(max_length=200)
    max_message_bytes: int = omittable(ge=1024, le=200 * 1024 * 1024)
    smtp_host: str = omittable(max_length=253)
    smtp_port: int = omittable(ge=1, le=65535)
    smtp_user: str = omittable(max_length=254)
    smtp_password: str = omittable(max_length=254)
    smtp_starttls: bool = omittable()
    smtp_ssl: bool = omittable()
    auto_acknowledge: bool = omittable()


@router.get("/mailboxes", response={200: PageOut[MailboxOut], **errors(401, 403, 404, 422)})
def list_mailboxes(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Any:
    """Every mailbox (administrators only)."""
    qs = mailboxes.mailbox_list(viewer=caller(request))
    return page_response(keyset_page(qs, sort="id", cursor=cursor, limit=limit))


@router.post("/mailboxes", response={201: MailboxOut, **errors(401, 403, 404, 409, 422)})
def create_mailbox(request: HttpRequest, payload: MailboxIn) -> Any:
    """A new mailbox. Passwords are stored and never shown again (only whether one is set)."""
    by = caller(request)
    return idempotent(
        request,
        201,
        lambda: MailboxOut.from_orm(mailboxes.mailbox_save(actor=Actor.of(by), **payload.model_dump())),
    )


@router.get("/mailboxes/{mailbox_id}", response={200: MailboxOut, **errors(401, 403, 404)})
def get_mailbox(request: HttpRequest, mailbox_id: int) -> Any:
    return mailboxes.mailbox_get(viewer=caller(request), mailbox_id=mailbox_id)


@router.patch("/mailboxes/{mailbox_id}", response={200: MailboxOut, **errors(401, 403, 404, 409, 422)})
def update_mailbox(request: HttpRequest, mailbox_id: int, payload: MailboxPatch) -> Any:
    by = caller(request)
    mailbox = mailboxes.mailbox_get(viewer=by, mailbox_id=mailbox_id)
    return mailboxes.mailbox_save(actor=Actor.of(by), mailbox=mailbox, **payload.model_dump(exclude_unset=True))


@router.post("/mailboxes/{mailbox_id}/rotate-secret", response={200: MailboxOut, **errors(401, 403, 404)})
def rotate_secret(request: HttpRequest, mailbox_id: int) -> Any:
    """A new secret for the inbound endpoint; the old one stops working at once."""
    by = caller(request)
    mailbox = mailboxes.mailbox_get(viewer=by, mailbox_id=mailbox_id)
    return mailboxes.mailbox_rotate_secret(actor=Actor.of(by), mailbox=mailbox)
