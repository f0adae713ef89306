"""REST API of custom field definitions and tags."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from frontdesk.accounts.api_auth import caller
from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import PageOut, errors, idempotent, page_response
from frontdesk.core.pagination import keyset_page
from frontdesk.fields import selectors, services, tag_selectors, tags
from frontdesk.fields.models import Tag
from frontdesk.fields.schemas import (
    AppliesToName,
    CustomFieldCreateIn,
    CustomFieldOut,
    CustomFieldUpdateIn,
    TagDeletedOut,
    TagOut,
    TagRenameIn,
    TagsMergeIn,
    TagWithCountOut,
)

router = Router(tags=["fields"])


@router.get("/fields", response={200: PageOut[CustomFieldOut], **errors(401, 404, 422)})
def list_fields(
    request: HttpRequest, applies_to: AppliesToName | None = None, active: bool | None = None,
    cursor: str | None = None, limit: int = 100,
):
    """Custom field definitions in display order (position, then id)."""
    qs = selectors.custom_field_list(viewer=caller(request), applies_to=applies_to, active=active)
    return page_response(keyset_page(qs, sort="position", cursor=cursor, limit=limit))


@router.post("/fields", response={201: CustomFieldOut, **errors(401, 403, 404, 409, 422)})
def create_field(request: HttpRequest, payload: CustomFieldCreateIn):
    """Administrators define custom fields. Honours Idempotency-Key."""
    by = caller(request)
    return idempotent(request, 201, lambda: CustomFieldOut.from_orm(
        services.custom_field_save(actor=Actor.of(by), **payload.model_dump())
    ))


@router.patch("/fields/{field_id}", response={200: CustomFieldOut, **errors(401, 403, 404, 409, 422)})
def update_field(request: HttpRequest, field_id: int, payload: CustomFieldUpdateIn):
    by = caller(request)
    field = selectors.custom_field_get(viewer=by, field_id=field_id)
    return services.custom_field_save(
        actor=Actor.of(by), field=field, **payload.model_dump(exclude_unset=True)
    )


@router.get("/tags", response={200: PageOut[TagOut], **errors(401, 404, 422)})
def list_tags(request: HttpRequest, q: str | None = None, cursor: str | None = None, limit: int = 25):
    """Tags in name order; ``q`` keeps those whose name starts with it (for autocomplete)."""
    qs = selectors.tag_list(viewer=caller(request), prefix=q)
    return page_response(keyset_page(qs, sort="name", cursor=cursor, limit=limit))


def _with_count(viewer: User, tag: Tag) -> TagWithCountOut:
    count = tag_selectors.tag_ticket_counts(viewer=viewer, tag_ids=[tag.pk])[tag.pk]
    return TagWithCountOut(id=tag.pk, name=tag.name, created_at=tag.created_at, ticket_count=count)


@router.post("/tags/{tag_id}/rename", response={200: TagWithCountOut, **errors(401, 403, 404, 409, 422)})
def rename_tag(request: HttpRequest, tag_id: int, payload: TagRenameIn):
    """Administrators rename a tag. A name another tag has merges into that tag when ``merge`` is
    true and answers 409 ``tag_exists`` otherwise. Answers the tag that remains, with its ticket count."""
    by = caller(request)
    tag = tags.tag_rename(actor=Actor.of(by), tag_id=tag_id, name=payload.name, merge=payload.merge)
    return _with_count(by, tag)


@router.post("/tags/merge", response={200: TagWithCountOut, **errors(401, 403, 404, 422)})
def merge_tags(request: HttpRequest, payload: TagsMergeIn):
    """Administrators fold the source tags into the target: their tickets carry the target once,
    the source tags are deleted."""
    by = caller(request)
    tag = tags.tags_merge(actor=Actor.of(by), source_ids=payload.source_ids, target_id=payload.target_id)
    return _with_count(by, tag)


@router.delete("/tags/{tag_id}", response={200: TagDeletedOut, **errors(401, 403, 404)})
def delete_tag(request: HttpRequest, tag_id: int):
    """Administrators delete a tag; it is taken off every ticket. Answers how many tickets lost it."""
    by = caller(request)
    return {"ticket_count": tags.tag_delete(actor=Actor.of(by), tag_id=tag_id)}
