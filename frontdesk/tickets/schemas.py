"""Ninja schemas of the tickets API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from frontdesk.core.api_utils import ObjectId, StrictIn
from frontdesk.tickets import filter_registry

PriorityIn = int | Literal["low", "normal", "high", "urgent"]


def _known_sort(value: str) -> str:
    known = filter_registry.sorts()
    if value not in known:
        raise ValueError(f"Input should be {', '.join(repr(k) for k in known)}")
    return value


class _SortChoices:
    """The sort orders as an enum in the OpenAPI document, read when it is generated (apps add sorts)."""

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        found = handler(schema)
        found["enum"] = list(filter_registry.sorts())
        return found


Sort = Annotated[str, AfterValidator(_known_sort), _SortChoices]
LinkKindIn = Literal["related", "incident_of", "follow_up_of"]
CcEmail = Annotated[str, Field(min_length=3, max_length=254)]


def _viewer_is_customer(context: Any) -> bool:
    """Whether the response is for a customer (ninja passes the request in the context)."""
    request = context.get("request") if isinstance(context, dict) else None
    user = getattr(request, "auth", None)
    return bool(getattr(user, "is_customer", False))


class PersonOut(Schema):
    id: int
    name: str
    email: str | None = None


class TagList(Schema):
    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class TicketOut(TagList):
    id: int
    number: int
    subject: str
    status: str
    status_category: str
    priority: int
    type: str
    channel: str
    brand_id: int
    team_id: int | None
    assignee: PersonOut | None
    requester: PersonOut
    organisation_id: int | None
    tags: list[str]
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None
    closed_at: datetime | None
    first_response_at: datetime | None
    merged_into_id: int | None
    message_count: int
    last_message_at: datetime | None

    @staticmethod
    def resolve_requester(obj: Any) -> dict[str, Any]:
        r = obj.requester
        return {"id": r.pk, "name": str(r), "email": r.primary_email or None}

    @staticmethod
    def resolve_assignee(obj: Any) -> dict[str, Any] | None:
        a = obj.assignee
        return None if a is None else {"id": a.pk, "name": str(a), "email": a.email}


class TicketDetailOut(TicketOut):
    version: int = Field(description="Bumped by every change to the ticket; the `ETag` of `GET /tickets/{id}` is it.")
    custom_fields: dict[str, Any]
    follower_ids: list[int]
    cc_ids: list[int]

    @staticmethod
    def resolve_follower_ids(obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.followers.all())

    @staticmethod
    def resolve_cc_ids(obj: Any, context: Any = None) -> list[int]:
        # not shown to customers: whether an address they copied was already a contact (an older
        # id) or became one is not theirs to learn
        if _viewer_is_customer(context):
            return []
        return sorted(c.pk for c in obj.ccs.all())


class RequesterIn(StrictIn):
    """A requester by identity: found by email or phone, or created with these details."""

    email: str | None = Field(None, max_length=254, description="Their email address.")
    name: str | None = Field(None, max_length=200, description="Their name, for a new customer.")
    phone: str | None = Field(None, max_length=40, description="Their phone number.")


class TicketCreateIn(StrictIn):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1)
    body_html: str = ""
    requester_id: ObjectId | None = None
    requester: RequesterIn | None = Field(
        None,
        description="Instead of requester_id (agents only): the customer with this email address or phone "
        "number, created with name when neither is known, in the same transaction as the ticket.",
    )
    channel: str = "api"
    brand_id: ObjectId | None = None
    status: str | None = None
    priority: PriorityIn | None = None
    type: str | None = None
    team_id: ObjectId | None = None
    assignee_id: ObjectId | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    due_at: datetime | None = None
    follower_ids: list[ObjectId] | None = None
    cc_ids: list[ObjectId] | None = Field(None, description="Contacts to copy, by id (agents only).")
    cc_emails: list[CcEmail] | None = Field(
        None,
        max_length=20,
        description="People to copy, by email address (customers and agents): each is found or made a "
        "contact; the answer is the same whether the address was known or not.",
    )


class TicketPatchIn(StrictIn):
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    status: str | None = None
    priority: PriorityIn | None = None
    type: str | None = None
    team_id: ObjectId | None = None
    assignee_id: ObjectId | None = None
    tags: list[str] | None = None
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    due_at: datetime | None = None
    follower_ids: list[ObjectId] | None = None
    cc_ids: list[ObjectId] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent (null clears team, assignee and due_at), named as ticket_update takes them."""
        data = self.model_dump(exclude_unset=True)
        renames = {"team_id": "team", "assignee_id": "assignee", "follower_ids": "followers", "cc_ids": "ccs"}
        return {renames.get(k, k): v for k, v in data.items()}


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    message_id: int | None
    created_at: datetime


class MessageOut(Schema):
    id: int
    ticket_id: int
    kind: str
    channel: str
    author_user: PersonOut | None
    author_contact: PersonOut | None
    body: str
    body_html: str
    quoted_text: str = Field("", description="The quoted history of an email reply, folded away under the body.")
    quoted_html: str = Field("", description="The same history as sanitised HTML (for HTML mail).")
    created_at: datetime
    attachments: list[AttachmentOut]
    mention_ids: list[int]

    @staticmethod
    def resolve_author_user(obj: Any) -> dict[str, Any] | None:
        u = obj.author_user
        return None if u is None else {"id": u.pk, "name": str(u), "email": None}

    @staticmethod
    def resolve_author_contact(obj: Any) -> dict[str, Any] | None:
        x = obj.author_contact
        return None if x is None else {"id": x.pk, "name": str(x), "email": x.primary_email or None}

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_mention_ids(obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.mentions.all())


class MessageIn(StrictIn):
    body: str = ""
    body_html: str = ""
    kind: Literal["public", "note"] = "public"
    attachment_ids: list[ObjectId] = Field(default_factory=list, max_length=50)
    set_status: str | None = None


class AuditOut(Schema):
    id: int
    action: str
    field: str
    old_value: Any = None
    new_value: Any = None
    actor_kind: str
    actor_user_id: int | None
    actor_rule_id: int | None
    actor_label: str
    event_id: int | None
    created_at: datetime


class MergeIn(StrictIn):
    target_id: ObjectId
    requester: Literal["target", "source"] | None = Field(
        None,
        description="Required when the two tickets have different requesters (else 409 requesters_differ): "
        "whose requester the merged ticket keeps. `source` also takes the source's organisation.",
    )
    ccs: Literal["kept", "both"] | None = Field(
        None,
        description="Whose CCs the merged ticket keeps: those of the ticket whose requester is kept, or both "
        "tickets'. Default: `both` when the requesters are the same, `kept` when they differ.",
    )
    other_requester_as_cc: bool = Field(
        False, description="Copy the requester that is not kept on the merged ticket (when they differ)."
    )


class SplitIn(StrictIn):
    message_ids: list[ObjectId] = Field(min_length=1, max_length=500)


class LinkIn(StrictIn):
    target_id: ObjectId
    kind: LinkKindIn = "related"


class LinkOut(Schema):
    id: int
    source_id: int
    target_id: int
    kind: str
    created_at: datetime


class SolveIncidentsIn(StrictIn):
    body: str = Field(min_length=1)


class SolveIncidentsOut(Schema):
    problem_id: int
    solved_incident_ids: list[int]


class BulkChanges(TicketPatchIn):
    pass


class BulkIn(StrictIn):
    ticket_ids: list[ObjectId] = Field(min_length=1, max_length=500)
    changes: BulkChanges


class BulkOut(Schema):
    updated: list[int]
    failed: dict[str, str]


class StatusOut(Schema):
    id: int
    key: str
    label: str
    category: str
    position: int
    active: bool
    builtin: bool


class StatusCreateIn(StrictIn):
    key: str
    label: str
    category: str
    position: int = Field(default=0, ge=0, lt=2**31)
    active: bool = True


class StatusPatchIn(StrictIn):
    label: str | None = None
    category: str | None = None
    position: int | None = Field(default=None, ge=0, lt=2**31)
    active: bool | None = None


class UploadOut(Schema):
    attachments: list[AttachmentOut]
