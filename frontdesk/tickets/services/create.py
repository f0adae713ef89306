"""ticket_create: the one path by which the API, the pages and every channel open a ticket.

It is on the hot path of every channel, so it runs a small fixed number of queries:
no query per tag, field, follower or cc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from frontdesk.accounts.acting import acting_user
from frontdesk.accounts.models import Team, User
from frontdesk.brands.models import Brand
from frontdesk.brands.services import default_brand
from frontdesk.core.actor import Actor
from frontdesk.core.errors import PermissionDenied, ValidationError
from frontdesk.core.events import record_many
from frontdesk.core.html import ensure_sanitised
from frontdesk.core.inserts import insert
from frontdesk.core.transactions import service_atomic
from frontdesk.customers.models import Contact, IdentityKind
from frontdesk.customers.services import contact_for_identity
from frontdesk.fields.models import Tag
from frontdesk.fields.services import tags_ensure, validate_values
from frontdesk.tickets import search
from frontdesk.tickets.events import MessageAdded, TicketCreated
from frontdesk.tickets.models import (
    Attachment,
    Message,
    MessageKind,
    Priority,
    StatusCategory,
    Ticket,
    TicketType,
)
from frontdesk.tickets.services import _common as c
from frontdesk.tickets.services.attachments import attachments_collect

# what a customer may not choose when opening a ticket
_AGENT_ONLY = (
    "status", "priority", "type", "team", "assignee", "tags", "due_at", "followers", "author_user", "brand",
)
MAX_CC_EMAILS = 20  # as many as an email's Cc header adds


def _cc_contacts(actor: Actor, emails: Sequence[str], requester: Contact) -> list[Contact]:
    """The contacts of these addresses, found or created (race-safe) by the customers' service.

    The answer is the same whether an address was known or not (a customer may not learn who
    else is a contact): an address is refused only for its form, never for its owner. Called
    before the ticket's transaction, like the email channel's ``identify``: a contact made here
    stays even if the ticket then fails."""
    if not isinstance(emails, (list, tuple)) or len(emails) > MAX_CC_EMAILS:
        raise ValidationError(
            f"At most {MAX_CC_EMAILS} addresses can be copied.", fields={"cc_emails": f"at most {MAX_CC_EMAILS}"}
        )
    contacts: list[Contact] = []
    for n, email in enumerate(emails):
        if not isinstance(email, str) or not email.strip():
            raise ValidationError("Enter a valid email address.", fields={f"cc_emails.{n}": "an email address"})
        try:
            contact = contact_for_identity(actor=actor, kind=IdentityKind.EMAIL, value=email)
        except ValidationError:
            raise ValidationError(
                "Enter a valid email address.", fields={f"cc_emails.{n}": "not a valid email address"}
            ) from None
        if contact.pk != requester.pk and all(contact.pk != c.pk for c in contacts):
            contacts.append(contact)
    return contacts


def ticket_create(
    *,
    actor: Actor,
    requester: Contact | int | None,
    subject: str,
    body: str,
    channel: str = "web",
    brand: Brand | int | None = None,
    status: str | None = None,
    priority: int | str | None = None,
    type: str | None = None,  # noqa: A002 - the ticket's field is called type
    team: Team | int | None = None,
    assignee: User | int | None = None,
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    due_at: datetime | str | None = None,
    followers: Sequence[User | int] | None = None,
    ccs: Sequence[Contact | int] | None = None,
    cc_emails: Sequence[str] | None = None,
    attachments: list[Any] | None = None,
    opening_kind: str = MessageKind.PUBLIC,
    body_html: str = "",
    quoted_text: str = "",
    quoted_html: str = "",
    external_id: str | None = None,
    author_user: User | None = None,
    created_at: datetime | None = None,
) -> Ticket:
    """Open a ticket with its first (public) message, by a person, a channel or the system.

    Customers open tickets for themselves only and cannot set agent-only properties (brand
    included); light agents cannot open tickets. ``ccs`` are contact ids (agents and channels
    only: customers copy people by address, with ``cc_emails``, at most ``MAX_CC_EMAILS``, found
    or created as contacts). ``body_html``/``quoted_html`` are sanitised (in linear time, capped:
    see core/html.py) before the transaction; the text ``body`` keeps what a cap cuts.
    ``quoted_text``/``quoted_html`` keep the quoted history of an email (shown folded);
    ``external_id`` is the opening message's id in its channel (an email's Message-ID). The opening
    message is left on the returned ticket as ``opening_message``. It is the requester's, or, with
    ``author_user``, an agent's: a public message (mailed to the customer: an outbound ticket, its
    first response) or, with ``opening_kind="note"``, an internal note (a logged phone call).

    Four steps: validate (all before the transaction), build, store, record.
    """
    opening = _validate(
        actor, requester=requester, subject=subject, body=body, channel=channel, brand=brand, status=status,
        priority=priority, ticket_type=type, team=team, assignee=assignee, tags=tags, custom_fields=custom_fields,
        due_at=due_at, followers=followers, ccs=ccs, cc_emails=cc_emails, attachments=attachments,
        opening_kind=opening_kind, body_html=body_html, quoted_text=quoted_text, quoted_html=quoted_html,
        external_id=external_id, author_user=author_user, created_at=created_at,
    )
    ticket, message = _build(opening)
    with service_atomic():  # no savepoint of its own inside the email intake's per message
        tag_rows, stored, indexed = _store(actor, opening, ticket, message)
        _record(actor, opening, ticket, message, tag_rows, stored, indexed=indexed)
    ticket.opening_message = message  # type: ignore[attr-defined]
    _prime_relations(ticket, tags=tag_rows, followers=opening.followers, ccs=opening.ccs)
    return ticket


def _prime_relations(ticket: Ticket, **rows: Sequence[Any]) -> None:
    """Leave the links just written on the returned ticket, as ``prefetch_related`` would, so that
    a reader (the API's answer) does not read back its tags, followers and ccs. No in-transaction
    handler of TicketCreated or MessageAdded changes them; the ORM drops a primed list when the
    relation is changed through it (add, remove, set, clear), and filtering it still queries."""
    cache = ticket.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, found in rows.items():
        manager = getattr(ticket, name)
        qs = manager.get_queryset()
        qs._result_cache = list(found)
        qs._prefetch_done = True
        cache[manager.prefetch_cache_name] = qs


@dataclass(frozen=True)
class _Opening:
    """A request to open a ticket, validated: every value cleaned, every id resolved to its row."""

    requester: Contact
    subject: str
    body: str
    channel: str
    brand: Brand
    status_key: str
    category: str
    priority: int
    ticket_type: str
    team: Team | None
    assignee: User | None
    tags: list[str] | None
    custom_fields: dict[str, Any]
    due_at: datetime | None
    followers: list[User]
    ccs: list[Contact]
    attachments: list[Any] | None
    opening_kind: str
    body_html: str  # sanitised
    quoted_text: str
    quoted_html: str  # sanitised
    external_id: str | None
    author_user: User | None
    created_at: datetime


def _check_rights(
    by: User | None, requester: Contact | int | None, *, given: dict[str, Any], ccs: Sequence[Contact | int] | None
) -> Contact | int | None:
    """Whether ``by`` may open this ticket; returns the requester (a customer's is their own contact).

    Customers open tickets for themselves only, set no agent-only property and copy no contact by
    id; light agents open none; the system and channels (``by`` None) act on trust."""
    if by is None:
        return requester
    if not by.is_active:
        raise PermissionDenied("Your account is not active.")
    if not by.is_customer:
        if not by.is_full_agent:
            raise PermissionDenied("Light agents may not open tickets.")
        return requester
    contact = Contact.objects.filter(user_id=by.pk).first()
    if contact is None:
        raise PermissionDenied("Your account has no contact record.")
    if requester is not None and (requester.pk if isinstance(requester, Contact) else requester) != contact.pk:
        raise PermissionDenied("Customers open tickets for themselves only.")
    refused = [k for k in _AGENT_ONLY if given[k] not in (None, [])]
    if refused:
        raise PermissionDenied("Customers may not set these properties.", fields={k: "agents only" for k in refused})
    if ccs:  # refused before any id is looked up: no answer tells which contacts exist
        raise ValidationError(
            "Customers copy people by their email address: send cc_emails, not cc_ids.",
            fields={"cc_ids": "use cc_emails"},
        )
    return contact


def _validate(
    actor: Actor, *, requester: Contact | int | None, subject: str, body: str, channel: str,
    brand: Brand | int | None, status: str | None, priority: int | str | None, ticket_type: str | None,
    team: Team | int | None, assignee: User | int | None, tags: list[str] | None,
    custom_fields: dict[str, Any] | None, due_at: datetime | str | None, followers: Sequence[User | int] | None,
    ccs: Sequence[Contact | int] | None, cc_emails: Sequence[str] | None, attachments: list[Any] | None,
    opening_kind: str, body_html: str, quoted_text: str, quoted_html: str, external_id: str | None,
    author_user: User | None, created_at: datetime | None,
) -> _Opening:
    """Step 1, before the transaction: the actor's rights, then every value in this order (the
    first error wins), ids resolved to rows, the HTML sanitised (before the write lock) and the cc
    addresses found or created as contacts."""
    by = acting_user(actor)
    given = {
        "status": status, "priority": priority, "type": ticket_type, "team": team, "assignee": assignee,
        "tags": tags, "due_at": due_at, "followers": followers, "author_user": author_user, "brand": brand,
    }
    requester = _check_rights(by, requester, given=given, ccs=ccs)
    if requester is None:
        raise ValidationError("A ticket needs a requester.", fields={"requester": "required"})
    contact = c.resolve_requester(requester)
    subject = c.clean_subject(subject)
    if not isinstance(body, str) or not body.strip():
        raise ValidationError("The first message needs a body.", fields={"body": "required"})
    channel = c.clean_channel(channel)
    clean_priority = Priority.NORMAL if priority is None else c.clean_priority(priority)
    clean_type = TicketType.QUESTION if ticket_type is None else c.clean_type(ticket_type)
    due = c.clean_due_at(due_at)
    if status is None:
        status_key, category = StatusCategory.NEW.value, StatusCategory.NEW.value
    else:
        found = c.resolve_status(status)
        status_key, category = found.key, found.category
    team_row = c.resolve_team(team)
    assignee_row = c.resolve_assignee(assignee, team_row)
    follower_users = c.resolve_followers(followers) if followers else []
    cc_contacts = c.resolve_ccs(ccs) if ccs else []
    check_fields = bool(custom_fields) or (by is not None and by.is_agent)
    values = validate_values("ticket", custom_fields or {}) if check_fields else {}
    if author_user is not None and not author_user.is_agent:
        raise ValidationError("author_user must be an agent.", fields={"author_user": "not an agent"})
    if opening_kind not in MessageKind.values:
        raise ValidationError("Unknown message kind.", fields={"opening_kind": "public or note"})
    if opening_kind == MessageKind.NOTE and author_user is None:
        raise ValidationError(
            "An opening note is written by an agent.", fields={"opening_kind": "a note needs author_user"}
        )
    brand_row = c.resolve_brand(brand) or default_brand()
    now = timezone.now()
    remote_images = by is not None and by.is_agent  # mail and customers show only their own images
    safe_html = ensure_sanitised(body_html, remote_images=remote_images)  # before the write lock
    safe_quoted = ensure_sanitised(quoted_html, remote_images=remote_images)
    if cc_emails:
        for cc in _cc_contacts(actor, cc_emails, contact):
            if all(cc.pk != x.pk for x in cc_contacts):
                cc_contacts.append(cc)
    return _Opening(
        requester=contact, subject=subject, body=body, channel=channel, brand=brand_row, status_key=status_key,
        category=category, priority=clean_priority, ticket_type=clean_type, team=team_row, assignee=assignee_row,
        tags=tags, custom_fields=values, due_at=due, followers=follower_users, ccs=cc_contacts,
        attachments=attachments, opening_kind=opening_kind, body_html=safe_html, quoted_text=quoted_text,
        quoted_html=safe_quoted, external_id=external_id, author_user=author_user, created_at=created_at or now,
    )


def _build(opening: _Opening) -> tuple[Ticket, Message]:
    """Step 2: the ticket and its opening message as unsaved rows (no query)."""
    o, created = opening, opening.created_at
    ticket = Ticket(
        brand=o.brand, subject=o.subject, status=o.status_key, status_category=o.category, priority=o.priority,
        type=o.ticket_type, channel=o.channel, team=o.team, assignee=o.assignee, requester=o.requester,
        organisation_id=o.requester.organisation_id, custom_fields=o.custom_fields, due_at=o.due_at,
        created_at=created, updated_at=created, message_count=1, last_message_at=created,
        # an agent who writes to the customer first has responded
        first_response_at=created if o.author_user is not None and o.opening_kind == MessageKind.PUBLIC else None,
    )
    c.category_timestamps(ticket, o.category, created)
    message = Message(
        ticket=ticket, kind=o.opening_kind, author_user=o.author_user,
        author_contact=None if o.author_user is not None else o.requester, channel=o.channel, body=o.body,
        body_html=o.body_html, quoted_text=o.quoted_text, quoted_html=o.quoted_html, external_id=o.external_id,
        created_at=created,
    )
    return ticket, message


def _store(
    actor: Actor, opening: _Opening, ticket: Ticket, message: Message
) -> tuple[list[Tag], list[Attachment], bool]:
    """Step 3, in the transaction: the tags (created when new), the ticket, its tag, follower and cc
    links, the message and its attachments, a fixed number of statements (none per tag, follower or
    cc). On PostgreSQL the ticket's search entry is written with its row. Returns the ticket's tags,
    the message's attachments and whether the search entry was written."""
    tag_rows = tags_ensure(opening.tags) if opening.tags else []
    vectors = search.new_ticket_columns(
        ticket.subject, body=opening.body, note=opening.opening_kind == MessageKind.NOTE
    )
    insert(ticket, sql=vectors)
    if tag_rows:
        Ticket.tags.through.objects.bulk_create(
            [Ticket.tags.through(ticket_id=ticket.pk, tag_id=t.pk) for t in tag_rows]
        )
    if opening.followers:
        Ticket.followers.through.objects.bulk_create(
            [Ticket.followers.through(ticket_id=ticket.pk, user_id=u.pk) for u in opening.followers]
        )
    if opening.ccs:
        Ticket.ccs.through.objects.bulk_create(
            [Ticket.ccs.through(ticket_id=ticket.pk, contact_id=x.pk) for x in opening.ccs]
        )
    message.ticket = ticket  # built before the ticket had its id
    insert(message)
    stored = attachments_collect(actor=actor, ticket=ticket, items=opening.attachments, message=message)
    return tag_rows, stored, vectors is not None


def _record(
    actor: Actor, opening: _Opening, ticket: Ticket, message: Message, tags: list[Tag], attachments: list[Attachment],
    *, indexed: bool = False,
) -> None:
    """Step 4, in the transaction: TicketCreated and the opening message's MessageAdded, recorded together."""
    o = opening
    created_event = TicketCreated(
        ticket_id=ticket.pk,
        fields={
            "subject": o.subject,
            "status": o.status_key,
            "status_category": o.category,
            "priority": o.priority,
            "type": o.ticket_type,
            "channel": o.channel,
            "brand_id": o.brand.pk,
            "team_id": o.team.pk if o.team else None,
            "assignee_id": o.assignee.pk if o.assignee else None,
            "requester_id": o.requester.pk,
            "organisation_id": o.requester.organisation_id,
            "tags": sorted(t.name for t in tags),
            "custom_fields": o.custom_fields,
            "due_at": c.iso(o.due_at),
            "followers": sorted(u.pk for u in o.followers),
            "ccs": sorted(x.pk for x in o.ccs),
        },
    )
    added = MessageAdded(
        ticket_id=ticket.pk,
        message_id=message.pk,
        kind=message.kind,
        channel=o.channel,
        author_user_id=o.author_user.pk if o.author_user else None,
        author_contact_id=message.author_contact_id,
        attachment_ids=[a.pk for a in attachments],
        opening=True,
    )
    hints = {"ticket": ticket, "message": message, "opening": added, "indexed": indexed}
    record_many([(created_event, hints), (added, hints)], actor=actor)
