"""Request and response schemas of the accounts API (people, teams, tokens, sign-in)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from frontdesk.core.api_utils import StrictIn, omittable
from frontdesk.core.ids import ObjectId

RoleName = Literal["admin", "supervisor", "agent", "light_agent", "customer"]

# PATCH bodies: a field left out is unchanged. Types are not Optional, so an explicit
# null is refused with 422 instead of being written.


class UserOut(Schema):
    id: int
    email: str
    name: str
    role: RoleName
    is_active: bool
    time_zone: str
    language: str
    created_at: datetime


class MeOut(UserOut):
    signature: str


class MeUpdateIn(StrictIn):
    name: str = omittable(max_length=200)
    time_zone: str = omittable(max_length=64)
    language: str = omittable(max_length=16)
    signature: str = omittable(max_length=10_000)


class PasswordChangeIn(StrictIn):
    current_password: str = Field(..., max_length=1024)
    new_password: str = Field(..., max_length=1024)


class UserCreateIn(StrictIn):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)
    role: RoleName = "agent"
    password: str | None = Field(
        None, max_length=1024, description="leave out to create a user who cannot sign in yet"
    )
    time_zone: str = Field("UTC", max_length=64)
    language: str = Field("en", max_length=16)


class UserUpdateIn(StrictIn):
    name: str = omittable(max_length=200)
    role: RoleName = omittable()
    is_active: bool = omittable()
    time_zone: str = omittable(max_length=64)
    language: str = omittable(max_length=16)
    signature: str = omittable(max_length=10_000)


class TeamOut(Schema):
    id: int
    name: str
    description: str
    restricted: bool
    member_ids: list[int]
    created_at: datetime

    @staticmethod
    def resolve_member_ids(obj: object) -> list[int]:
        return sorted(m.pk for m in obj.members.all())  # type: ignore[attr-defined]


class TeamCreateIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    restricted: bool = False
    member_ids: list[ObjectId] = Field(default_factory=list, max_length=1000)


class TeamUpdateIn(StrictIn):
    name: str = omittable(min_length=1, max_length=100)
    description: str = omittable(max_length=2000)
    restricted: bool = omittable()
    member_ids: list[ObjectId] = omittable(max_length=1000)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreateIn(StrictIn):
    name: str = Field("", max_length=100)


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="the bearer secret; shown once, only its digest is stored")


class LoginIn(StrictIn):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=1024)


class LoginOut(Schema):
    user: MeOut
    csrf_token: str = Field(..., description="send as X-CSRFToken on unsafe requests made with the session")
