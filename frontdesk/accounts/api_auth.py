"""API authentication (bearer token or session with CSRF) and per-caller rate limits."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from frontdesk.accounts.auth import user_for_token
from frontdesk.accounts.models import User
from frontdesk.core.errors import RateLimited, Unauthenticated


def _rate_limit(caller: str) -> None:
    """A fixed one-minute window per caller (token or user), shared through the cache.

    While Redis is unreachable the cache counts nothing (frontdesk.core.resilient_cache: ``add``
    answers as if the key were new), so the limit *fails open*: refusing every API call because
    a cache is restarting would turn that restart into an outage of the API."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if limit <= 0:
        return
    window = int(time.time() // 60)
    key = f"ratelimit:{caller}:{window}"
    if cache.add(key, 1, timeout=61):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=61)
        return
    if count > limit:
        raise RateLimited(retry_after=max(1, 60 - int(time.time()) % 60))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = user_for_token(token)
        if found is None:
            return None
        user, api_token = found
        _rate_limit(f"token:{api_token.pk}")
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


class SessionCsrfAuth(SessionAuth):
    """The Django session, with CSRF enforced on unsafe methods.

    CSRF is checked only when the request carries a signed-in session: a request with
    no credentials at all answers 401 (not a CSRF 403), and a session request without
    a valid X-CSRFToken header on POST/PUT/PATCH/DELETE answers 403.
    """

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken.")
        _rate_limit(f"user:{user.pk}")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - see __call__
        return self(request)


def caller(request: HttpRequest) -> User:
    """The signed-in person of a request that passed API_AUTH (what the authenticator returned)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise Unauthenticated()
    return user


token_auth = TokenAuth()
session_auth = SessionCsrfAuth()
API_AUTH = [token_auth, session_auth]
