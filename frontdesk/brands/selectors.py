"""Reads of brands: staff see every brand; anyone else is told there is nothing."""

from __future__ import annotations

from django.db.models import QuerySet

from frontdesk.accounts import policies
from frontdesk.accounts.models import User
from frontdesk.brands.models import Brand
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id


def brand_list(*, viewer: User) -> QuerySet[Brand]:
    policies.require_staff(viewer)
    return Brand.objects.all()


def brand_get(*, viewer: User, brand_id: int) -> Brand:
    check_id(brand_id, "Brand")
    brand = brand_list(viewer=viewer).filter(pk=brand_id).first()
    if brand is None:
        raise NotFound("Brand not found.")
    return brand
