"""REST API of custom field definitions and tags."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from frontdesk.accounts.api_auth import caller
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import PageOut, errors, idempotent, page_response
from frontdesk.core.pagination import keyset_page
from frontdesk.fields import selectors, services
from frontdesk.fields.schemas import (
    AppliesToName,
    CustomFieldCreateIn,
    CustomFieldOut,
    CustomFieldUpdateIn,
    TagOut,
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
        services.custom_field_save(actor=Actor.of(by), by=by, **payload.model_dump())
    ))


@router.patch("/fields/{field_id}", response={200: CustomFieldOut, **errors(401, 403, 404, 409, 422)})
def update_field(request: HttpRequest, field_id: int, payload: CustomFieldUpdateIn):
    by = caller(request)
    field = selectors.custom_field_get(viewer=by, field_id=field_id)
    return services.custom_field_save(
        actor=Actor.of(by), by=by, field=field, **payload.model_dump(exclude_unset=True)
    )


@router.get("/tags", response={200: PageOut[TagOut], **errors(401, 404, 422)})
def list_tags(request: HttpRequest, q: str | None = None, cursor: str | None = None, limit: int = 25):
    """Tags in name order; ``q`` keeps those whose name starts with it (for autocomplete)."""
    qs = selectors.tag_list(viewer=caller(request), prefix=q)
    return page_response(keyset_page(qs, sort="name", cursor=cursor, limit=limit))
