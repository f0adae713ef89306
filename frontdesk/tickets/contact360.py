"""The contact 360 view: one person's profile, tickets, purchases and a unified timeline.

A fixed number of queries whatever the contact's history: every list has a LIMIT, the
lifetime value and purchase count come from the contact's counters, and the per-channel
ticket counts use the (requester, created_at) index of that contact's tickets only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from django.db.models import Count, Q, QuerySet

from frontdesk.accounts.models import User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id
from frontdesk.customers.models import Contact, ContactEvent, Identity, Purchase
from frontdesk.tickets.models import UNRESOLVED, Message, MessageKind, Ticket
from frontdesk.tickets.policies import can_see_notes, visible_tickets

TICKETS_LIMIT = 20
PURCHASES_LIMIT = 20
TIMELINE_LIMIT = 50
EXCERPT_CHARS = 280


@dataclass(frozen=True)
class IdentityInfo:
    id: int
    kind: str
    value: str
    is_primary: bool


@dataclass(frozen=True)
class TicketSummary:
    id: int
    subject: str
    status: str
    status_category: str
    priority: int
    channel: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PurchaseInfo:
    id: int
    product: str
    sku: str
    amount: Decimal
    currency: str
    status: str
    purchased_at: datetime


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # message | note | event | purchase
    at: datetime
    id: int
    channel: str = ""
    direction: str = ""  # in (from the contact) | out (to the contact) | internal
    ticket_id: int | None = None
    ticket_subject: str = ""
    summary: str = ""


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    open: int
    total: int


@dataclass(frozen=True)
class Contact360:
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
    identities: list[IdentityInfo] = field(default_factory=list)
    open_tickets: list[TicketSummary] = field(default_factory=list)
    recent_tickets: list[TicketSummary] = field(default_factory=list)
    purchases: list[PurchaseInfo] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    channels: list[ChannelCount] = field(default_factory=list)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _summary(t: Ticket) -> TicketSummary:
    return TicketSummary(
        id=t.pk, subject=t.subject, status=t.status, status_category=t.status_category, priority=t.priority,
        channel=t.channel, created_at=t.created_at, updated_at=t.updated_at,
    )


def _get_contact(viewer: User, contact_id: int) -> Contact:
    check_id(contact_id, "Contact")
    if not viewer.is_active or not (viewer.is_agent or viewer.is_customer):
        raise NotFound("Contact not found.")
    qs = Contact.objects.select_related("organisation").filter(pk=contact_id)
    if not viewer.is_agent:
        qs = qs.filter(user_id=viewer.pk)  # a customer sees their own record only
    contact = qs.first()
    if contact is None:
        raise NotFound("Contact not found.")
    return contact


def _timeline(
    viewer: User, contact: Contact, visible: QuerySet[Ticket], limit: int = TIMELINE_LIMIT
) -> list[TimelineItem]:
    """Messages the contact wrote (on any ticket the viewer sees) or received on their own
    tickets, and CRM events."""
    # The latest messages on their tickets all sit in the tickets with the latest last_message_at
    # (each ticket's newest message): read only those, however long the contact's history is.
    latest = visible.filter(requester=contact).order_by("-last_message_at", "-pk").values("pk")[:limit]
    messages = Message.objects.filter(ticket__in=latest)
    authored = Message.objects.filter(author_contact=contact, ticket__in=visible.values("pk"))
    if not can_see_notes(viewer):
        messages = messages.filter(kind=MessageKind.PUBLIC)
        authored = authored.filter(kind=MessageKind.PUBLIC)
    fields = (
        "pk", "kind", "channel", "body", "created_at", "author_contact_id", "ticket_id", "ticket__subject",
    )
    rows: dict[int, dict] = {}
    for qs in (messages, authored):
        for row in qs.order_by("-created_at", "-pk").values(*fields)[:limit]:
            rows[row["pk"]] = row
    items = [
        TimelineItem(
            kind="note" if m["kind"] == MessageKind.NOTE else "message",
            at=m["created_at"],
            id=m["pk"],
            channel=m["channel"],
            direction="internal" if m["kind"] == MessageKind.NOTE
            else ("in" if m["author_contact_id"] == contact.pk else "out"),
            ticket_id=m["ticket_id"],
            ticket_subject=m["ticket__subject"],
            summary=_excerpt(m["body"]),
        )
        for m in rows.values()
    ]
    if viewer.is_agent:  # CRM notes are the team's, not the customer's
        for e in ContactEvent.objects.filter(contact=contact).order_by("-created_at", "-pk")[:limit]:
            items.append(TimelineItem(kind="event", at=e.created_at, id=e.pk, summary=_excerpt(
                f"{e.kind}: {e.body}" if e.body else e.kind)))
    return items


def contact_360(
    *, viewer: User, contact_id: int, tickets_limit: int = TICKETS_LIMIT, timeline_limit: int = TIMELINE_LIMIT
) -> Contact360:
    """Everything about one contact on one page. Agents see any contact; a customer only
    themselves (with public messages only); anyone else gets NotFound."""
    contact = _get_contact(viewer, contact_id)
    visible = visible_tickets(viewer)  # one query at most (an agent's teams)
    tickets = visible.filter(requester=contact)
    identities = [
        IdentityInfo(id=i.pk, kind=i.kind, value=i.value, is_primary=i.is_primary)
        for i in Identity.objects.filter(contact=contact).order_by("kind", "-is_primary", "pk")[:100]
    ]
    newest = ("-updated_at", "-pk")
    unresolved = Q(status_category__in=UNRESOLVED)
    open_tickets = [_summary(t) for t in tickets.filter(unresolved).order_by(*newest)[:tickets_limit]]
    recent = [_summary(t) for t in tickets.exclude(unresolved).order_by(*newest)[:tickets_limit]]
    purchase_rows = list(
        Purchase.objects.filter(contact=contact).order_by("-purchased_at", "-pk")[:timeline_limit]
    )
    purchases = [
        PurchaseInfo(id=p.pk, product=p.product, sku=p.sku, amount=p.amount, currency=p.currency,
                     status=p.status, purchased_at=p.purchased_at)
        for p in purchase_rows[:PURCHASES_LIMIT]
    ]
    timeline = _timeline(viewer, contact, visible, timeline_limit)
    timeline += [
        TimelineItem(kind="purchase", at=p.purchased_at, id=p.pk,
                     summary=_excerpt(f"{p.product} {p.amount} {p.currency} ({p.status})"))
        for p in purchase_rows
    ]
    order = {"purchase": 0, "event": 1, "note": 2, "message": 3}
    timeline.sort(key=lambda i: (i.at, order[i.kind], i.id), reverse=True)
    channels = [
        ChannelCount(channel=row["channel"], open=row["open"], total=row["total"])
        for row in tickets.order_by()
        .values("channel")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status_category__in=UNRESOLVED)))
        .order_by("channel")
    ]
    org = contact.organisation
    return Contact360(
        id=contact.pk, name=contact.name, primary_email=contact.primary_email, language=contact.language,
        time_zone=contact.time_zone, vip=contact.vip, tier=contact.tier,
        notes=contact.notes if viewer.is_agent else "",
        organisation_id=org.pk if org else None, organisation_name=org.name if org else None,
        lifetime_value=contact.lifetime_value, purchase_count=contact.purchase_count,
        created_at=contact.created_at, identities=identities, open_tickets=open_tickets,
        recent_tickets=recent, purchases=purchases, timeline=timeline[:timeline_limit], channels=channels,
    )


@dataclass(frozen=True)
class ContactCard:
    """What the ticket page shows of its requester at once; the rest of the 360 view follows."""

    id: int
    name: str
    primary_email: str
    vip: bool
    tier: str
    organisation_id: int | None
    organisation_name: str | None
    lifetime_value: Decimal
    purchase_count: int
    currency: str  # the one currency of their purchases, "" when none or several
    avatar_kind: ClassVar[str] = "contact"  # the same initials colour as the contact everywhere else

    @property
    def pk(self) -> int:
        return self.id


def contact_card(*, viewer: User, contact: Contact) -> ContactCard:
    """The requester card from a contact already loaded (with its organisation): at most one small
    query, for the currency of their purchases when they have any."""
    if not viewer.is_active or not viewer.is_agent:
        raise NotFound("Contact not found.")
    currencies: list[str] = []
    if contact.purchase_count:
        currencies = list(
            Purchase.objects.filter(contact=contact).order_by().values_list("currency", flat=True).distinct()[:2]
        )
    org = contact.organisation
    return ContactCard(
        id=contact.pk, name=contact.name, primary_email=contact.primary_email, vip=contact.vip, tier=contact.tier,
        organisation_id=org.pk if org else None, organisation_name=org.name if org else None,
        lifetime_value=contact.lifetime_value, purchase_count=contact.purchase_count,
        currency=currencies[0] if len(currencies) == 1 else "",
    )
