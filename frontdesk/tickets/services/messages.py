"""message_add: public replies and internal notes, with mentions, attachments and status changes.

Mentions (in notes only): ``@`` followed by an agent's full email address
(``@ann@example.com``) or by the local part of it (``@ann`` for ann@example.com).
Only active agents who can see the ticket are mentioned; other names are left as text
(``unknown_mentions`` names them, so a composer can flag them before sending).

Recipients (public replies only): who the outgoing copy goes to (To/CC/BCC), chosen per message
by the agent. The service validates them and hands them to the channel with the event's hints;
without them the channel writes to the requester and the ticket's CCs as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from frontdesk.accounts.acting import acting_user
from frontdesk.accounts.models import STAFF_ROLES, User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import Conflict, PermissionDenied, ValidationError
from frontdesk.core.events import record
from frontdesk.core.html import ensure_sanitised
from frontdesk.core.inserts import insert
from frontdesk.core.transactions import service_atomic
from frontdesk.customers.models import Contact
from frontdesk.tickets import policies, search
from frontdesk.tickets.events import MessageAdded
from frontdesk.tickets.models import Message, MessageKind, StatusCategory, Ticket
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.attachments import attachments_collect
from frontdesk.tickets.services.update import apply_changes, lock_ticket

_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
# a customer's reply to a ticket waiting on them or solved opens it again
_REOPEN_ON_CUSTOMER_REPLY = (StatusCategory.PENDING, StatusCategory.SOLVED)


def parse_mentions(body: str) -> list[str]:
    """The mention tokens of ``body``, lower-cased, without trailing dots."""
    found: list[str] = []
    for match in _MENTION.finditer(body or ""):
        token = match.group(1).rstrip(".").lower()
        if token and token not in found:
            found.append(token)
    return found[:50]


MAX_RECIPIENTS = 50  # To, CC and BCC together
MAX_SIGNATURE = 2000


@dataclass(frozen=True)
class Recipients:
    """Who an emailed public reply goes to. BCC is never written in the mail's headers."""

    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)


_NAMED = re.compile(r"<([^<>]*)>")


def split_addresses(raw: str) -> list[str]:
    """The entries of a comma, semicolon or space separated list of addresses, as typed (not yet
    validated); ``Ann Lee <ann@example.com>`` is one entry."""
    entries: list[str] = []
    for piece in re.split(r"[,;\n]+", (raw or "")[:10_000]):
        piece = piece.strip()
        if "<" in piece:
            entries.append(piece)
        else:
            entries.extend(piece.split())
    return entries


def _address_of(entry: str) -> str:
    named = _NAMED.search(entry)
    return (named.group(1) if named else entry).strip().lower()


def clean_recipients(recipients: Recipients) -> Recipients:
    """Lower-cased, de-duplicated across the three lists (To first, then CC, then BCC), each a
    valid address; at least one To. Raises ValidationError naming the field and the addresses."""
    seen: set[str] = set()
    errors: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for name in ("to", "cc", "bcc"):
        kept: list[str] = []
        bad: list[str] = []
        for raw in getattr(recipients, name):
            address = _address_of(str(raw))
            if not address:
                continue
            try:
                validate_email(address)
            except DjangoValidationError:
                bad.append(str(raw)[:80])
                continue
            if address not in seen:
                seen.add(address)
                kept.append(address)
        if bad:
            errors[name] = "not an email address: " + ", ".join(bad[:5])
        lists[name] = kept
    if not errors and not lists["to"]:
        errors["to"] = "at least one address"
    if not errors and len(seen) > MAX_RECIPIENTS:
        errors["to"] = f"at most {MAX_RECIPIENTS} addresses in To, CC and BCC together"
    if errors:
        raise ValidationError("Check the recipients.", fields=errors)
    return Recipients(to=lists["to"], cc=lists["cc"], bcc=lists["bcc"])


def unknown_mentions(ticket: Ticket, body: str) -> list[str]:
    """The ``@`` tokens of ``body`` that mention nobody (no active agent who can see the ticket)."""
    tokens = parse_mentions(body)
    if not tokens:
        return []
    emails = [u.email.lower() for u in resolve_mentions(ticket, body)]
    return [
        t for t in tokens
        if not any(e == t if "@" in t else e.startswith(f"{t}@") for e in emails)
    ]


def resolve_mentions(ticket: Ticket, body: str) -> list[User]:
    tokens = parse_mentions(body)
    if not tokens:
        return []
    q = Q()
    for token in tokens:
        q |= Q(email__iexact=token) if "@" in token else Q(email__istartswith=f"{token}@")
    candidates = User.objects.filter(q, is_active=True, role__in=STAFF_ROLES)
    return [u for u in candidates if policies.can_view(u, ticket)]


def message_add(
    *,
    actor: Actor,
    ticket: Ticket | int,
    body: str,
    kind: str = MessageKind.PUBLIC,
    author_contact: Contact | None = None,
    channel: str | None = None,
    attachments: list[Any] | None = None,
    body_html: str = "",
    quoted_text: str = "",
    quoted_html: str = "",
    set_status: str | None = None,
    external_id: str | None = None,
    created_at: datetime | None = None,
    recipients: Recipients | None = None,
    signature: str | None = None,
    locked_by_caller: bool = False,
) -> Message:
    """Add a public reply or an internal note to ``ticket``.

    ``actor`` is the person writing (an agent or a customer), or a channel or the
    system, writing as ``author_contact`` (a customer's message) or as nobody (a system note).
    ``set_status`` changes the status in the same transaction ("submit as pending").
    ``quoted_text``/``quoted_html`` keep the quoted history of an email reply (shown folded).
    ``body_html``/``quoted_html`` are sanitised (in linear time, capped: see core/html.py) before
    the transaction; the text ``body`` keeps what a cap cuts.
    ``recipients`` (a public reply by an agent): To/CC/BCC of its emailed copy, validated here;
    ``signature``: the one to put under the emailed copy (None: the author's profile signature).
    ``locked_by_caller``: the caller read ``ticket`` (an instance) with its row lock in its transaction, so it
    is current and is not read again (the email intake's threading).
    """
    by = acting_user(actor)
    if kind not in MessageKind.values:
        raise ValidationError("Unknown message kind.", fields={"kind": "public or note"})
    if not isinstance(body, str) or (not body.strip() and not attachments):
        raise ValidationError("The message needs a body.", fields={"body": "required"})
    if channel is not None:
        channel = c.clean_channel(channel)
    author_user: User | None = None
    if by is not None:
        if not by.is_active:
            raise PermissionDenied("Your account is not active.")
        if by.is_customer:
            if kind != MessageKind.PUBLIC:
                raise PermissionDenied("Customers cannot write internal notes.")
            author_contact = Contact.objects.filter(user_id=by.pk).first()
            if author_contact is None:
                raise PermissionDenied("Your account has no contact record.")
            if set_status is not None:
                raise PermissionDenied("Customers may not change the status.")
        else:
            author_user, author_contact = by, None
            if kind == MessageKind.PUBLIC and not policies.can_reply_publicly(by):
                raise PermissionDenied("Light agents may add internal notes only.")
            if set_status is not None and not policies.can_edit(by):
                raise PermissionDenied("You may not change the status.")
    if kind == MessageKind.NOTE and author_contact is not None:
        raise ValidationError(
            "Internal notes are written by agents.", fields={"kind": "notes are for agents"}
        )
    if recipients is not None:
        if kind != MessageKind.PUBLIC or author_user is None:
            raise ValidationError("Only an agent's public reply has recipients.", fields={"to": "public replies only"})
        recipients = clean_recipients(recipients)
    if signature is not None:
        signature = signature.replace("\r\n", "\n").strip()
        if len(signature) > MAX_SIGNATURE:
            raise ValidationError(
                "The signature is too long.", fields={"signature": f"at most {MAX_SIGNATURE} characters"}
            )
    remote_images = author_user is not None  # mail and customers show only their own images
    safe_html = ensure_sanitised(body_html, remote_images=remote_images)  # before the write lock
    safe_quoted = ensure_sanitised(quoted_html, remote_images=remote_images)

    with service_atomic():  # no savepoint of its own inside the email intake's per message
        locked = ticket if isinstance(ticket, Ticket) and locked_by_caller else lock_ticket(ticket)
        c.require_visible(by, locked)
        if locked.status_category == StatusCategory.CLOSED:
            raise Conflict(c.CLOSED_MESSAGE)
        now = created_at or timezone.now()
        message = Message(
            ticket=locked,
            kind=kind,
            author_user=author_user,
            author_contact=author_contact,
            channel=channel or locked.channel,
            body=body,
            body_html=safe_html,
            quoted_text=quoted_text,
            quoted_html=safe_quoted,
            external_id=external_id,
            created_at=now,
        )
        insert(message)  # SQL compiled once: this runs for every reply and every email that joins a ticket
        stored = attachments_collect(actor=actor, ticket=locked, items=attachments, message=message)
        mentioned = resolve_mentions(locked, body) if kind == MessageKind.NOTE else []
        if mentioned:
            message.mentions.add(*mentioned)

        fields = ["message_count", "last_message_at", "updated_at"]
        locked.message_count += 1
        locked.last_message_at = max(locked.last_message_at or now, now)
        locked.updated_at = timezone.now()
        if kind == MessageKind.PUBLIC and author_user is not None and locked.first_response_at is None:
            locked.first_response_at = now
            fields.append("first_response_at")
        # PostgreSQL: the message's text joins the ticket's search entry in the same UPDATE
        indexed = search.appended_columns(body, note=kind == MessageKind.NOTE)
        locked.save_fields(fields, sql=indexed)
        record(
            MessageAdded(
                ticket_id=locked.pk,
                message_id=message.pk,
                kind=kind,
                channel=message.channel,
                author_user_id=author_user.pk if author_user else None,
                author_contact_id=author_contact.pk if author_contact else None,
                mentioned_user_ids=[u.pk for u in mentioned],
                attachment_ids=[a.pk for a in stored],
            ),
            actor=actor,
            hints={
                "message": message, "ticket": locked, "recipients": recipients, "signature": signature,
                "indexed": indexed is not None,
            },
        )
        customer_reply = kind == MessageKind.PUBLIC and author_contact is not None and author_user is None
        if set_status is not None:
            apply_changes(actor=actor, ticket=locked, changes={"status": set_status})
        elif customer_reply and locked.status_category in _REOPEN_ON_CUSTOMER_REPLY:
            apply_changes(actor=actor, ticket=locked, changes={"status": StatusCategory.OPEN.value})
    message.ticket = locked
    return message
