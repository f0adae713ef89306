from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from frontdesk.accounts import policies
from frontdesk.accounts.acting import acting_person
from frontdesk.brands.events import BrandSaved
from frontdesk.brands.models import Brand
from frontdesk.brands.names import has_control, name_error
from frontdesk.core.actor import Actor
from frontdesk.core.cache import forget, remembered
from frontdesk.core.errors import Conflict, ValidationError
from frontdesk.core.events import record

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")
_HOST = re.compile(
    r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
NAME_MAX = int(getattr(Brand._meta.get_field("name"), "max_length", None) or 100)


def default_brand() -> Brand:
    """The default brand, created on first need so every ticket has one (cached; brand_save forgets it)."""
    brand = remembered("brand:default", lambda: Brand.objects.filter(is_default=True).first())
    if brand is None:
        with transaction.atomic():
            brand, _ = Brand.objects.get_or_create(
                slug="default", defaults={"name": "Support", "is_default": True}
            )
            if not brand.is_default and not Brand.objects.filter(is_default=True).exists():
                Brand.objects.filter(pk=brand.pk).update(is_default=True)
                brand.is_default = True
    return brand


def _free_slug(base: str) -> str:
    slug, n = base, 1
    while Brand.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _validate(data: dict[str, Any]) -> dict[str, str]:
    """Field errors of ``data``; every pattern must match the whole value (``$`` would let a
    trailing line break through)."""
    errors: dict[str, str] = {}
    for key in ("primary_color", "accent_color"):
        if key in data and not _COLOR.fullmatch(str(data[key])):
            errors[key] = "must be a colour like #1f6feb"
    if "slug" in data and not _SLUG.fullmatch(str(data["slug"])):
        errors["slug"] = "letters, digits, - and _ only (at most 60)"
    host = data.get("help_center_host")
    if host and (not isinstance(host, str) or not _HOST.fullmatch(host.strip().lower())):
        errors["help_center_host"] = "must be a host name like help.example.com"
    emails = data.get("support_emails") or []
    if not isinstance(emails, list):
        errors["support_emails"] = "a list of email addresses"
        emails = []
    for email in emails:
        try:
            if not isinstance(email, str) or has_control(email):
                raise DjangoValidationError("control characters")
            validate_email(email.strip())
        except DjangoValidationError:
            errors["support_emails"] = f"{email!r} is not an email address"
    if "name" in data:
        problem = name_error(data["name"], max_length=NAME_MAX)
        if problem:
            errors["name"] = problem
    return errors


def brand_save(*, actor: Actor, brand: Brand | None = None, **data: Any) -> Brand:
    by = acting_person(actor)
    policies.require_admin(by)
    allowed = {
        "name",
        "slug",
        "primary_color",
        "accent_color",
        "support_emails",
        "help_center_host",
        "is_default",
    }
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError("Unknown fields.", fields={f: "unknown field" for f in unknown})
    errors = _validate(data)
    if errors:
        raise ValidationError("The brand is not valid.", fields=errors)
    if "name" in data:
        data["name"] = data["name"].strip()
    if "support_emails" in data:
        data["support_emails"] = [e.strip().lower() for e in data["support_emails"]]
    if "help_center_host" in data:
        data["help_center_host"] = (data["help_center_host"] or "").strip().lower() or None
    with transaction.atomic():
        brand = Brand() if brand is None else Brand.objects.select_for_update().get(pk=brand.pk)
        if brand.pk is None and not data.get("name"):
            raise ValidationError("A brand needs a name.", fields={"name": "required"})
        if brand.pk is None and not data.get("slug"):
            data["slug"] = _free_slug(slugify(data["name"])[:50] or "brand")
        changes = {k: v for k, v in data.items() if getattr(brand, k) != v}
        if brand.is_default and changes.get("is_default") is False:
            raise Conflict(
                "Make another brand the default instead.", fields={"is_default": "one brand is default"}
            )
        if changes.get("is_default"):
            Brand.objects.filter(is_default=True).exclude(pk=brand.pk).update(is_default=False)
        for key, value in changes.items():
            setattr(brand, key, value)
        for field in ("name", "slug", "help_center_host"):
            value = getattr(brand, field)
            if value and Brand.objects.filter(**{field: value}).exclude(pk=brand.pk).exists():
                raise Conflict(f"Another brand has this {field}.", fields={field: "already in use"})
        brand.save()
        forget("brand:default")
        record(BrandSaved(brand_id=brand.pk, changes=changes), actor=actor)
    return brand
