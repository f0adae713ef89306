"""REST API of people: the signed-in user (/me), API tokens, sign-in, users and teams."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Query, Router, Schema, Status

from frontdesk.accounts import auth, selectors, services
from frontdesk.accounts.api_auth import caller
from frontdesk.accounts.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    MeUpdateIn,
    PasswordChangeIn,
    RoleName,
    TeamCreateIn,
    TeamOut,
    TeamUpdateIn,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
    UserCreateIn,
    UserOut,
    UserUpdateIn,
)
from frontdesk.core.actor import Actor
from frontdesk.core.api_utils import PageOut, errors, idempotent, page_response
from frontdesk.core.errors import PermissionDenied
from frontdesk.core.pagination import keyset_page

router = Router(tags=["accounts"])


def _actor(request: HttpRequest) -> Actor:
    return Actor.of(caller(request))


# --- sign-in ----------------------------------------------------------------


@router.post("/auth/login", auth=None, response={200: LoginOut, **errors(401, 403, 422, 429)}, tags=["auth"])
def sign_in(request: HttpRequest, payload: LoginIn):
    """Start a session (cookie) by email and password. Needs no credentials and no CSRF token;
    only same-origin JSON requests are accepted. Failures are throttled per (account, address)
    and per address, answering 429 with Retry-After."""
    if not auth.is_same_origin_json(request):
        raise PermissionDenied("Sign in with a same-origin JSON request.", code="cross_site_request")
    user = auth.sign_in(request, email=payload.email, password=payload.password)
    return {"user": user, "csrf_token": get_token(request)}


@router.post("/auth/logout", response={204: None, **errors(401, 403)}, tags=["auth"])
def sign_out(request: HttpRequest):
    """End the current session (a bearer token stays valid: revoke it with DELETE /me/tokens/{id})."""
    logout(request)
    return Status(204, None)


# --- the signed-in person ---------------------------------------------------------


@router.get("/me", response={200: MeOut, **errors(401)})
def me(request: HttpRequest):
    return caller(request)


@router.patch("/me", response={200: MeOut, **errors(401, 422)})
def update_me(request: HttpRequest, payload: MeUpdateIn):
    me = caller(request)
    return services.user_update(actor=Actor.of(me), user=me, **payload.model_dump(exclude_unset=True))


@router.post("/me/password", response={204: None, **errors(401, 422)})
def change_password(request: HttpRequest, payload: PasswordChangeIn):
    """Change the password. Every other session of this person ends; this one continues."""
    user = services.password_change(
        actor=_actor(request), user=caller(request),
        current_password=payload.current_password, new_password=payload.new_password,
    )
    if getattr(request, "api_token", None) is None:
        update_session_auth_hash(request, user)
    return Status(204, None)


@router.get("/me/tokens", response={200: PageOut[TokenOut], **errors(401, 422)})
def list_tokens(request: HttpRequest, cursor: str | None = None, limit: int = 25):
    me = caller(request)
    qs = selectors.token_list(viewer=me, owner=me)
    return page_response(keyset_page(qs, sort="-id", cursor=cursor, limit=limit))


@router.post("/me/tokens", response={201: TokenCreatedOut, **errors(401, 422)})
def create_token(request: HttpRequest, payload: TokenCreateIn):
    """Create a personal API token. The secret is in this response only (never replayed)."""
    token, secret = services.token_create(actor=_actor(request), user=caller(request), name=payload.name)
    token.secret = secret  # type: ignore[attr-defined]
    return Status(201, token)


@router.delete("/me/tokens/{token_id}", response={204: None, **errors(401, 404)})
def revoke_token(request: HttpRequest, token_id: int):
    me = caller(request)
    services.token_revoke(actor=Actor.of(me), owner=me, token_id=token_id)
    return Status(204, None)


# --- users --------------------------------------------------------------------------

UserSort = Literal["id", "-id", "email", "-email", "name", "-name", "created_at", "-created_at"]


class UserFilters(Schema):
    role: RoleName | None = None
    active: bool | None = None
    email: str | None = None
    sort: UserSort = "email"


@router.get("/users", response={200: PageOut[UserOut], **errors(401, 404, 422)})
def list_users(
    request: HttpRequest, filters: Query[UserFilters], cursor: str | None = None, limit: int = 25
):
    """Staff accounts. `email` filters by prefix; `sort` is a field, `-field` for descending."""
    qs = selectors.user_list(
        viewer=caller(request), role=filters.role, active=filters.active, email_prefix=filters.email
    )
    return page_response(keyset_page(qs, sort=filters.sort, cursor=cursor, limit=limit))


@router.post("/users", response={201: UserOut, **errors(401, 403, 404, 409, 422)})
def create_user(request: HttpRequest, payload: UserCreateIn):
    """Administrators create people. Honours Idempotency-Key."""
    return idempotent(request, 201, lambda: UserOut.from_orm(
        services.user_create(actor=_actor(request), **payload.model_dump())
    ))


@router.get("/users/{user_id}", response={200: UserOut, **errors(401, 404)})
def get_user(request: HttpRequest, user_id: int):
    return selectors.user_get(viewer=caller(request), user_id=user_id)


@router.patch("/users/{user_id}", response={200: UserOut, **errors(401, 403, 404, 409, 422)})
def update_user(request: HttpRequest, user_id: int, payload: UserUpdateIn):
    user = selectors.user_get(viewer=caller(request), user_id=user_id)
    return services.user_update(
        actor=_actor(request), user=user, **payload.model_dump(exclude_unset=True)
    )


# --- teams --------------------------------------------------------------------------


@router.get("/teams", response={200: PageOut[TeamOut], **errors(401, 404, 422)})
def list_teams(request: HttpRequest, cursor: str | None = None, limit: int = 25):
    qs = selectors.team_list(viewer=caller(request))
    return page_response(keyset_page(qs, sort="name", cursor=cursor, limit=limit))


@router.post("/teams", response={201: TeamOut, **errors(401, 403, 404, 409, 422)})
def create_team(request: HttpRequest, payload: TeamCreateIn):
    """Administrators create teams. Honours Idempotency-Key."""
    return idempotent(request, 201, lambda: TeamOut.from_orm(
        services.team_save(actor=_actor(request), **payload.model_dump())
    ))


@router.get("/teams/{team_id}", response={200: TeamOut, **errors(401, 404)})
def get_team(request: HttpRequest, team_id: int):
    return selectors.team_get(viewer=caller(request), team_id=team_id)


@router.patch("/teams/{team_id}", response={200: TeamOut, **errors(401, 403, 404, 409, 422)})
def update_team(request: HttpRequest, team_id: int, payload: TeamUpdateIn):
    team = selectors.team_get(viewer=caller(request), team_id=team_id)
    return services.team_save(
        actor=_actor(request), team=team, **payload.model_dump(exclude_unset=True)
    )
