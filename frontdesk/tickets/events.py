"""Events of tickets. Recorded by tickets.services; the audit trail, the search index and
(later) SLA, routing, automation and notifications react to them."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, NotRequired

from pydantic import ConfigDict, Field, StringConstraints, with_config
from typing_extensions import TypedDict

from frontdesk.core.events import Event
from frontdesk.core.events.base import Change, Changes


@with_config(ConfigDict(extra="forbid"))
class TicketSnapshot(TypedDict):
    """The initial properties of a new ticket, as ``ticket_create`` (and ``ticket_split``) write them."""

    subject: str
    status: Annotated[str, Field(description="the key of a ticket status")]
    status_category: Annotated[str, Field(description="new | open | pending | solved | closed")]
    priority: Annotated[int, Field(description="1 low, 2 normal, 3 high, 4 urgent")]
    type: Annotated[str, Field(description="question | incident | problem | task")]
    channel: Annotated[str, Field(description="email | chat | web | portal | sms | whatsapp | social | phone | api")]
    brand_id: int
    team_id: int | None
    assignee_id: Annotated[int | None, Field(description="a user id")]
    requester_id: Annotated[int, Field(description="a contact id")]
    organisation_id: Annotated[int | None, Field(description="the requester's organisation")]
    tags: Annotated[list[str], Field(description="tag names, sorted")]
    custom_fields: Annotated[dict[str, Any], Field(description="key -> value of the ticket custom fields")]
    due_at: Annotated[str | None, Field(description="ISO 8601 date-time")]
    followers: NotRequired[Annotated[list[int], Field(description="user ids, sorted (not on a split)")]]
    ccs: NotRequired[Annotated[list[int], Field(description="contact ids, sorted (not on a split)")]]
    split_from: NotRequired[Annotated[int, Field(description="on a split only: the ticket split from")]]


# the fields a ``ticket.updated`` may name: "custom_fields.<key>" for each changed custom field
TICKET_CHANGE_FIELDS = (
    "subject", "priority", "type", "due_at", "status", "status_category", "team_id", "assignee_id",
    "requester_id", "organisation_id", "tags", "followers", "ccs",
)
TicketChangeField = Annotated[
    str, StringConstraints(pattern=rf"^({'|'.join(TICKET_CHANGE_FIELDS)}|custom_fields\..+)$")
]


class TicketCreated(Event):
    """A ticket was created (``ticket_create``: by an agent, a customer, or a channel such as email).
    Recorded in the same transaction as its opening ``ticket.message_added``, just before it. Also
    recorded by ``ticket_split`` for the new ticket (with ``split_from``, without a message event)."""

    name: ClassVar[str] = "ticket.created"
    ticket_id: int
    fields: TicketSnapshot = Field(description="the initial properties of the ticket")


class TicketUpdated(Event):
    """Properties of a ticket changed (``ticket_update``, bulk updates, and the target of a merge
    when its requester or CCs change). Only fields that really changed are named."""

    name: ClassVar[str] = "ticket.updated"
    ticket_id: int
    changes: dict[TicketChangeField, Change] = Field(
        description="field -> [old, new]; tags, followers and ccs as sorted lists; custom fields as "
        "custom_fields.<key>"
    )


class MessageAdded(Event):
    """A message (public reply or internal note) was added to a ticket (``message_add``, and
    ``ticket_create`` for the opening message, with ``opening`` true)."""

    name: ClassVar[str] = "ticket.message_added"
    ticket_id: int
    message_id: int
    kind: str = Field(description="public | note")
    channel: str
    author_user_id: int | None = None
    author_contact_id: int | None = None
    mentioned_user_ids: list[int] = []
    attachment_ids: list[int] = []
    # the message that opened the ticket (recorded right after TicketCreated, in the same transaction)
    opening: bool = Field(default=False, description="the message that opened the ticket")


class TicketsMerged(Event):
    """A ticket (``source_id``) was merged into another (``target_id``) by an agent
    (``tickets_merge``); its messages moved to the target and the source was closed."""

    name: ClassVar[str] = "ticket.merged"
    source_id: int
    target_id: int
    moved_message_ids: list[int]


class TicketSplit(Event):
    """Messages of a ticket were split off into a new ticket by an agent (``ticket_split``)."""

    name: ClassVar[str] = "ticket.split"
    source_id: int
    new_ticket_id: int
    message_ids: list[int]


class TicketLinked(Event):
    """An agent linked two tickets (``ticket_link``, ``problem_solve``)."""

    name: ClassVar[str] = "ticket.linked"
    source_id: int
    target_id: int
    kind: str = Field(description="related | incident_of | follow_up_of")


class TicketUnlinked(Event):
    """An agent removed a link between two tickets (``ticket_unlink``)."""

    name: ClassVar[str] = "ticket.unlinked"
    source_id: int
    target_id: int
    kind: str


class TicketStatusSaved(Event):
    """An admin created or changed a status (``status_create``, ``status_update``); on creation ``old`` is null."""

    name: ClassVar[str] = "ticket_status.saved"
    status_id: int
    changes: Changes = Field(description="field -> [old, new] (key, label, category, position, ...)")


class ViewSaved(Event):
    """An agent created or changed a ticket view (``view_create``, ``view_update``); on creation ``old`` is null."""

    name: ClassVar[str] = "view.saved"
    view_id: int
    changes: Changes = Field(description="field -> [old, new]")


class ViewDeleted(Event):
    """An agent deleted a ticket view (``view_delete``)."""

    name: ClassVar[str] = "view.deleted"
    view_id: int
