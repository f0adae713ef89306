"""REST API of brands: staff list and read them; administrators create and edit them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from frontdesk.accounts.api_auth import caller
from frontdesk.brands import selectors, services
from frontdesk.brands.schemas import BrandCreateIn, BrandOut, BrandUpdateIn
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import PageOut, errors, idempotent, page_response
from frontdesk.core.pagination import keyset_page

router = Router(tags=["brands"])


@router.get("/brands", response={200: PageOut[BrandOut], **errors(401, 404, 422)})
def list_brands(request: HttpRequest, cursor: str | None = None, limit: int = 25):
    qs = selectors.brand_list(viewer=caller(request))
    return page_response(keyset_page(qs, sort="name", cursor=cursor, limit=limit))


@router.post("/brands", response={201: BrandOut, **errors(401, 403, 404, 409, 422)})
def create_brand(request: HttpRequest, payload: BrandCreateIn):
    """Administrators create brands. Honours Idempotency-Key."""
    data = payload.model_dump(exclude_unset=True)
    data.setdefault("name", payload.name)
    by = caller(request)
    return idempotent(request, 201, lambda: BrandOut.from_orm(services.brand_save(actor=Actor.of(by), **data)))


@router.get("/brands/{brand_id}", response={200: BrandOut, **errors(401, 404)})
def get_brand(request: HttpRequest, brand_id: int):
    return selectors.brand_get(viewer=caller(request), brand_id=brand_id)


@router.patch("/brands/{brand_id}", response={200: BrandOut, **errors(401, 403, 404, 409, 422)})
def update_brand(request: HttpRequest, brand_id: int, payload: BrandUpdateIn):
    by = caller(request)
    brand = selectors.brand_get(viewer=by, brand_id=brand_id)
    return services.brand_save(actor=Actor.of(by), brand=brand, **payload.model_dump(exclude_unset=True))
