from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from frontdesk.core.api_utils import StrictIn, omittable


class BrandOut(Schema):
    id: int
    name: str
    slug: str
    logo_url: str | None
    primary_color: str
    accent_color: str
    support_emails: list[str]
    help_center_host: str | None
    is_default: bool
    created_at: datetime

    @staticmethod
    def resolve_logo_url(obj: object) -> str | None:
        logo = obj.logo  # type: ignore[attr-defined]
        return logo.url if logo else None


class BrandCreateIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100)
    slug: str = omittable(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60, description="default: from the name")
    primary_color: str = Field("#1f6feb", description="#rrggbb")
    accent_color: str = Field("#0b7a53", description="#rrggbb")
    support_emails: list[str] = Field(default_factory=list, max_length=50)
    help_center_host: str | None = Field(None, max_length=253)
    is_default: bool = False


class BrandUpdateIn(StrictIn):
    name: str = omittable(min_length=1, max_length=100)
    slug: str = omittable(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    primary_color: str = omittable(description="#rrggbb")
    accent_color: str = omittable(description="#rrggbb")
    support_emails: list[str] = omittable(max_length=50)
    help_center_host: str | None = Field(
        None, max_length=253, description="null removes the help-centre host"
    )
    is_default: bool = omittable()
