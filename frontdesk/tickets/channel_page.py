"""What a channel adds to the ticket page, so that the page knows no channel by name.

A channel registers a ``ticket_page`` factory (``frontdesk.core.channels.ChannelSpec``) returning
an object with the methods of :class:`ChannelPage`. The page calls each registered channel once
per render, in a fixed number of queries each (``queries``, pinned by a test for every channel):

- ``annotate`` adds what the channel needs to the message queryset (a subquery, no extra query);
- ``parts`` returns :class:`Part` objects (a template and its context) to show above the timeline
  and in each message's header, before and after its body;
- ``reply_route`` says whether a public reply on this ticket leaves through the channel, and to
  whom by default; the composer shows the channel's recipient fields when it does;
- ``new_ticket_sender`` says, for the New ticket page, what a brand's first outbound message
  is sent from (``None``: this channel does not send it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import QuerySet

from frontdesk.core import channels
from frontdesk.tickets.models import Message, Ticket


@dataclass(frozen=True)
class Part:
    """A piece of the ticket page a channel renders with its own template."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageParts:
    """Everything the channels add to one ticket page."""

    alerts: list[Part] = field(default_factory=list)  # above the timeline
    header: dict[int, list[Part]] = field(default_factory=dict)  # by message id: links in its header
    before_body: dict[int, list[Part]] = field(default_factory=dict)  # warnings about it
    after_body: dict[int, list[Part]] = field(default_factory=dict)  # what became of it (deliveries)

    def merge(self, other: PageParts) -> None:
        self.alerts += other.alerts
        for mine, theirs in ((self.header, other.header), (self.before_body, other.before_body),
                             (self.after_body, other.after_body)):
            for message_id, parts in theirs.items():
                mine.setdefault(message_id, []).extend(parts)


@dataclass(frozen=True)
class ReplyRoute:
    """A public reply on the ticket leaves through ``channel``, to these recipients by default."""

    channel: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    recipients: bool = True  # the composer offers To/CC/BCC fields


class ChannelPage(Protocol):
    queries: int  # the most queries ``annotate`` + ``parts`` may make for one page

    def annotate(self, messages: QuerySet[Message]) -> QuerySet[Message]: ...

    def parts(self, ticket: Ticket, messages: list[Message]) -> PageParts: ...

    def reply_route(self, ticket: Ticket) -> ReplyRoute | None: ...

    def new_ticket_sender(self, brand_id: int) -> str | None: ...


def channel_pages(first: str = "") -> list[ChannelPage]:
    """The ticket-page contributions of every registered channel, in channel order (``first``'s
    first)."""
    specs = sorted(channels.registered(), key=lambda s: s.name != first)
    return [spec.ticket_page() for spec in specs if spec.ticket_page is not None]


def annotate(messages: QuerySet[Message]) -> QuerySet[Message]:
    for page in channel_pages():
        messages = page.annotate(messages)
    return messages


def page_parts(ticket: Ticket, messages: list[Message]) -> PageParts:
    found = PageParts()
    for page in channel_pages():
        found.merge(page.parts(ticket, messages))
    return found


def reply_route(ticket: Ticket) -> ReplyRoute | None:
    """How a public reply reaches the customer: the ticket's own channel first, then any other."""
    for page in channel_pages(first=ticket.channel):
        route = page.reply_route(ticket)
        if route is not None:
            return route
    return None


def new_ticket_sender(brand_id: int) -> str | None:
    for page in channel_pages():
        sender = page.new_ticket_sender(brand_id)
        if sender is not None:
            return sender
    return None
