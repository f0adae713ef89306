"""Email notifications to agents, as each person chose on their profile
(``User.notification_settings``):

- ``assigned``: a ticket was assigned to them by someone else;
- ``mentioned``: they were @mentioned in a note;
- ``followed``: a new public message (the customer's, or a reply by someone else) on a ticket
  they follow or that is assigned to them.

One mail per person and event, however many reasons apply (the subject names the first of
mentioned, assigned, followed; the footer lists them all). Never to whoever caused the event,
nor to inactive people, customers, people without an address, or people who cannot see the
ticket. The mail goes from the ticket's mailbox (no mailbox: no mail) as an OutboundEmail row of
kind ``notification``, written by ``outbound.write_outbound`` and sent like any other.

Such a mail must never let an agent's answer post as the customer: it carries no reply token
(no Reply-To), and it lives in a thread of its own — its In-Reply-To/References name a per-ticket
root id that is not one of the ticket's Message-IDs, and its own Message-ID is not registered as
one either (EmailReference). An answer to it therefore threads into no ticket by token or by
headers, and by the ``[Ticket #N]`` subject only for the ticket's requester and CCs (the
pipeline's rule for every sender). It is marked ``Auto-Submitted: auto-generated``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from frontdesk.accounts.models import STAFF_ROLES, User
from frontdesk.channels.email import outbound
from frontdesk.channels.email.models import Mailbox, OutboundEmail
from frontdesk.channels.email.outgoing import KIND_NOTIFICATION
from frontdesk.channels.email.recipients import mailbox_for_ticket
from frontdesk.core.actor import Actor
from frontdesk.tickets import policies
from frontdesk.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from frontdesk.tickets.models import Message, MessageKind, Ticket

ASSIGNED = "assigned"
MENTIONED = "mentioned"
FOLLOWED = "followed"
_ORDER = (MENTIONED, ASSIGNED, FOLLOWED)  # the first reason that applies names the mail
EXCERPT_CHARS = 1000

Reasons = dict[int, set[str]]


def _add(reasons: Reasons, user_ids: Iterable[int | None], reason: str) -> None:
    for user_id in user_ids:
        if user_id:
            reasons.setdefault(user_id, set()).add(reason)


def wants(user: User, reason: str) -> bool:
    """Notifications are opt-in: only an explicit ``true`` for the reason counts."""
    chosen = user.notification_settings if isinstance(user.notification_settings, dict) else {}
    return chosen.get(reason) is True


def ticket_url(ticket: Ticket) -> str:
    return settings.PUBLIC_URL.rstrip("/") + reverse("workspace:ticket", args=[ticket.pk])


def thread_for(ticket: Ticket, mailbox: Mailbox) -> tuple[str, str]:
    """(In-Reply-To, References) grouping a ticket's notifications in the agent's mail client,
    under a root id that is none of the ticket's Message-IDs (and is never registered)."""
    domain = mailbox.address.rpartition("@")[2] or "frontdesk.invalid"
    root = f"fd.notifications.t{ticket.pk}@{domain}"
    return root, f"<{root}>"


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def _author_name(message: Message | None, brand_name: str) -> str:
    if message is None:
        return brand_name
    if message.author_user is not None:
        return _one_line(message.author_user.name or message.author_user.email)
    if message.author_contact is not None:
        contact = message.author_contact
        return _one_line(contact.name or contact.primary_email or "") or _("the customer")
    return brand_name


def _actor_name(actor: Actor, user: User | None) -> str:
    """Who caused the event, for "… assigned ticket #N to you" (empty: the system)."""
    if user is not None:
        return _one_line(user.name or user.email)
    if actor.kind == "rule":
        return _("an automation rule")
    return ""


def _subject(ticket: Ticket, reason: str, author: str) -> str:
    if reason == MENTIONED:
        what = _("%(name)s mentioned you") % {"name": author}
    elif reason == ASSIGNED:
        what = _("Assigned to you")
    else:
        what = _("New message from %(name)s") % {"name": author}
    return f"[Ticket #{ticket.pk}] {what}: {_one_line(ticket.subject)}"


def recipients(ticket: Ticket, reasons: Reasons, *, exclude: Iterable[int | None]) -> list[tuple[User, list[str]]]:
    """The people to mail and the reasons each of them opted in to, in a fixed order."""
    skip = {pk for pk in exclude if pk}
    candidates = (
        User.objects.filter(pk__in=set(reasons) - skip, is_active=True, role__in=STAFF_ROLES)
        .exclude(email="")
        .order_by("pk")
    )
    found: list[tuple[User, list[str]]] = []
    for user in candidates:
        chosen = [reason for reason in _ORDER if reason in reasons[user.pk] and wants(user, reason)]
        if chosen and policies.can_view(user, ticket):
            found.append((user, chosen))
    return found


def notify(
    *, ticket_id: int, reasons: Reasons, actor: Actor, message: Message | None = None
) -> list[OutboundEmail]:
    """Write one notification row per person to tell (after commit, in the handler's
    transaction). Nobody is told about their own doing: the actor and the message's author are
    left out."""
    if not reasons:
        return []
    ticket = Ticket.objects.select_related("brand", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        return []
    exclude = [actor.user_id, message.author_user_id if message is not None else None]
    people = recipients(ticket, reasons, exclude=exclude)
    if not people:
        return []
    mailbox = mailbox_for_ticket(ticket)
    if mailbox is None:
        return []
    actor_user = User.objects.filter(pk=actor.user_id).only("name", "email").first() if actor.user_id else None
    rows = []
    for user, chosen in people:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            author = _author_name(message, ticket.brand.name)
            context = outbound.template_context(
                ticket,
                mailbox,
                recipient=user,
                reason=chosen[0],
                reasons=chosen,
                message=message,
                note=message is not None and message.kind == MessageKind.NOTE,
                author_name=author,
                actor_name=_actor_name(actor, actor_user),
                excerpt=Truncator(message.body.strip()).chars(EXCERPT_CHARS) if message is not None else "",
                ticket_url=ticket_url(ticket),
                profile_url=settings.PUBLIC_URL.rstrip("/") + reverse("workspace:profile"),
            )
            text, html = outbound.render_bodies("notification", context)
            subject = _subject(ticket, chosen[0], author)
        rows.append(
            outbound.write_outbound(
                ticket=ticket, mailbox=mailbox, kind=KIND_NOTIFICATION, to=[user.email], cc=[],
                text=text, html=html, message=message, auto=True, subject=subject,
                thread=thread_for(ticket, mailbox),
            )
        )
    return rows


def _message(message_id: int) -> Message | None:
    return Message.objects.select_related("author_user", "author_contact").filter(pk=message_id).first()


def _watchers(ticket_id: int) -> list[int]:
    """Who follows the ticket, and its assignee: told of new public messages."""
    ticket = Ticket.objects.filter(pk=ticket_id).only("assignee_id").first()
    if ticket is None:
        return []
    followers = list(Ticket.followers.through.objects.filter(ticket_id=ticket_id).values_list("user_id", flat=True))
    return [*followers, ticket.assignee_id] if ticket.assignee_id else followers


def on_ticket_created(event: TicketCreated, actor: Actor) -> list[OutboundEmail]:
    """A new ticket: its assignee (assigned), and its followers and assignee (followed: the
    opening message is new to them). One mail each, about the opening message."""
    reasons: Reasons = {}
    assignee_id = event.fields.get("assignee_id")
    _add(reasons, [assignee_id], ASSIGNED)
    _add(reasons, [*(event.fields.get("followers") or []), assignee_id], FOLLOWED)
    if not reasons:
        return []
    opening = Message.objects.filter(ticket_id=event.ticket_id).order_by("created_at", "pk").first()
    message = _message(opening.pk) if opening is not None else None
    return notify(ticket_id=event.ticket_id, reasons=reasons, actor=actor, message=message)


def on_ticket_updated(event: TicketUpdated, actor: Actor) -> list[OutboundEmail]:
    """The ticket was assigned to someone: tell them."""
    change = event.changes.get("assignee_id")
    if not isinstance(change, list) or len(change) != 2 or not change[1]:
        return []
    return notify(ticket_id=event.ticket_id, reasons={int(change[1]): {ASSIGNED}}, actor=actor)


def on_message_added(event: MessageAdded, actor: Actor) -> list[OutboundEmail]:
    """Mentioned people; and, for a public message, the ticket's followers and assignee. The
    opening message of a ticket is told by ``on_ticket_created``."""
    if event.opening:
        return []
    reasons: Reasons = {}
    _add(reasons, event.mentioned_user_ids, MENTIONED)
    if event.kind == MessageKind.PUBLIC:
        _add(reasons, _watchers(event.ticket_id), FOLLOWED)
    if not reasons:
        return []
    message = _message(event.message_id)
    if message is None:
        return []
    return notify(ticket_id=event.ticket_id, reasons=reasons, actor=actor, message=message)
