"""Ninja schemas of the CRM API. Inputs refuse unknown fields; money is a string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from frontdesk.core.api_utils import ObjectId, StrictIn


def money(value: Any) -> str:
    return f"{Decimal(value or 0):.2f}"


class IdentityIn(StrictIn):
    kind: str = Field(max_length=20)
    value: str = Field(max_length=254)


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    is_primary: bool
    undeliverable: bool


class OrganisationRef(Schema):
    id: int
    name: str


class ContactIn(StrictIn):
    name: str = ""
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)
    organisation_id: ObjectId | None = None
    language: str = ""
    time_zone: str = ""
    preferred_channel: str = ""
    vip: bool = False
    tier: str = ""
    notes: str = ""
    custom_fields: dict[str, Any] | None = None
    tags: list[str] | None = None


class ContactPatch(StrictIn):
    """Only the fields sent change; ``organisation_id: null`` detaches the organisation."""

    name: str | None = None
    organisation_id: ObjectId | None = None
    primary_email: str | None = None
    language: str | None = None
    time_zone: str | None = None
    preferred_channel: str | None = None
    vip: bool | None = None
    tier: str | None = None
    notes: str | None = None
    custom_fields: dict[str, Any] | None = None
    tags: list[str] | None = None


class ContactOut(Schema):
    id: int
    name: str
    primary_email: str
    organisation: OrganisationRef | None = None
    identities: list[IdentityOut]
    language: str
    time_zone: str
    preferred_channel: str
    vip: bool
    tier: str
    notes: str
    custom_fields: dict[str, Any]
    tags: list[str]
    lifetime_value: str
    purchase_count: int
    merged_into_id: int | None = None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_identities(obj: Any) -> list[Any]:
        return list(obj.identities.all())

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_lifetime_value(obj: Any) -> str:
        return money(obj.lifetime_value)


class NoteIn(StrictIn):
    body: str = Field(max_length=10_000)


class ContactEventOut(Schema):
    id: int
    contact_id: int
    kind: str
    body: str
    data: dict[str, Any]
    actor_label: str
    created_at: datetime


class MergeIn(StrictIn):
    target_id: ObjectId


class PurchaseIn(StrictIn):
    product: str = Field(max_length=200)
    sku: str = Field(default="", max_length=100)
    amount: Decimal
    currency: str = Field(max_length=3)
    purchased_at: datetime | date
    status: str = "paid"
    external_id: str | None = Field(default=None, max_length=100)


class PurchaseCreateIn(PurchaseIn):
    contact_id: ObjectId


class PurchaseOut(Schema):
    id: int
    contact_id: int
    external_id: str | None = None
    product: str
    sku: str
    amount: str
    currency: str
    purchased_at: datetime
    status: str
    created_at: datetime

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return money(obj.amount)


class OrganisationIn(StrictIn):
    name: str = Field(max_length=200)
    domains: list[str] = Field(default_factory=list, max_length=100)
    notes: str = ""
    vip: bool = False
    tier: str = ""
    custom_fields: dict[str, Any] | None = None
    tags: list[str] = Field(default_factory=list)


class OrganisationPatch(StrictIn):
    name: str | None = Field(default=None, max_length=200)
    domains: list[str] | None = Field(default=None, max_length=100)
    notes: str | None = None
    vip: bool | None = None
    tier: str | None = None
    custom_fields: dict[str, Any] | None = None
    tags: list[str] | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    domains: list[str]
    notes: str
    vip: bool
    tier: str
    custom_fields: dict[str, Any]
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_domains(obj: Any) -> list[str]:
        return [d.domain for d in obj.domains.all()]

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]
