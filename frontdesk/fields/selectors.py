"""Reads of custom field definitions and tags (staff only; anyone else gets NotFound)."""

from __future__ import annotations

from django.db.models import QuerySet

from frontdesk.accounts import policies
from frontdesk.accounts.models import User
from frontdesk.core.errors import NotFound
from frontdesk.core.ids import check_id
from frontdesk.fields.models import CustomField, Tag


def custom_field_list(
    *, viewer: User, applies_to: str | None = None, active: bool | None = None
) -> QuerySet[CustomField]:
    policies.require_staff(viewer)
    qs = CustomField.objects.all()
    if applies_to:
        qs = qs.filter(applies_to=applies_to)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def custom_field_get(*, viewer: User, field_id: int) -> CustomField:
    check_id(field_id, "Custom field")
    field = custom_field_list(viewer=viewer).filter(pk=field_id).first()
    if field is None:
        raise NotFound("Custom field not found.")
    return field


def tag_list(*, viewer: User, prefix: str | None = None) -> QuerySet[Tag]:
    """Tags whose name starts with ``prefix`` (as typed: case and spaces normalised like new tags)."""
    policies.require_staff(viewer)
    qs = Tag.objects.all()
    if prefix:
        qs = qs.filter(name__startswith=prefix.strip().lower().replace(" ", "-"))
    return qs
