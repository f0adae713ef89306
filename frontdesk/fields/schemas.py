from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from frontdesk.core.api_utils import StrictIn, omittable

AppliesToName = Literal["ticket", "contact", "organisation"]
FieldTypeName = Literal["text", "number", "dropdown", "multiselect", "date", "checkbox"]


class CustomFieldOut(Schema):
    id: int
    applies_to: AppliesToName
    key: str
    label: str
    type: FieldTypeName
    options: list[str]
    required: bool
    active: bool
    position: int
    description: str


class CustomFieldCreateIn(StrictIn):
    applies_to: AppliesToName = "ticket"
    key: str = Field(..., max_length=60, description="lower-case letters, digits and _; fixed once created")
    label: str = Field(..., min_length=1, max_length=100)
    type: FieldTypeName
    options: list[str] = Field(
        default_factory=list, max_length=500, description="dropdown/multiselect choices"
    )
    required: bool = False
    active: bool = True
    position: int = Field(0, ge=0, le=2**31 - 1)
    description: str = Field("", max_length=300)


class CustomFieldUpdateIn(StrictIn):
    """``key``, ``type`` and ``applies_to`` cannot change once a field exists."""

    label: str = omittable(min_length=1, max_length=100)
    options: list[str] = omittable(max_length=500)
    required: bool = omittable()
    active: bool = omittable()
    position: int = omittable(ge=0, le=2**31 - 1)
    description: str = omittable(max_length=300)


class TagOut(Schema):
    id: int
    name: str
    created_at: datetime


class TagWithCountOut(TagOut):
    ticket_count: int


class TagRenameIn(StrictIn):
    name: str = Field(..., max_length=200, description="the new name (normalised: lower case, spaces as -)")
    merge: bool = Field(
        False, description="when another tag has this name: true merges into it; false answers 409 tag_exists"
    )


class TagsMergeIn(StrictIn):
    source_ids: list[int] = Field(..., min_length=1, max_length=100, description="tags folded into the target")
    target_id: int = Field(..., description="the tag that is kept")


class TagDeletedOut(Schema):
    ticket_count: int = Field(..., description="tickets that lost the tag")
