"""Events of custom fields and tags. Recorded by fields.services and fields.tags."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from frontdesk.core.events import Event


class CustomFieldSaved(Event):
    """An admin created or changed a custom field definition (``custom_field_save``)."""

    name: ClassVar[str] = "custom_field.saved"
    field_id: int
    changes: dict[str, Any] = Field(description="field -> its new value (only the fields that changed)")


class TagRenamed(Event):
    """An admin renamed a tag (``fields.tags``); the tickets carrying it carry the new name."""

    name: ClassVar[str] = "tag.renamed"
    tag_id: int
    old_name: str
    new_name: str


class TagsMerged(Event):
    """An admin merged tags (``fields.tags``): the source tags were folded into the target: their
    tickets now carry the target (once) and the source tags no longer exist."""

    name: ClassVar[str] = "tags.merged"
    target_id: int
    target_name: str
    source_ids: list[int]
    source_names: list[str]
    ticket_count: int = Field(description="tickets that carried at least one source tag")


class TagDeleted(Event):
    """An admin deleted a tag (``fields.tags``); the tickets carrying it lost it."""

    name: ClassVar[str] = "tag.deleted"
    tag_id: int
    tag_name: str
    ticket_count: int = Field(description="tickets that lost the tag")
