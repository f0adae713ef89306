"""Sign-in by email, a throttle an attacker cannot turn into a lock-out, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from frontdesk.accounts.models import ApiToken, User
from frontdesk.core.errors import RateLimited
from frontdesk.core.reads import read_one_related

TOKEN_PREFIX = "fd_"
_TOKENS = f'"{ApiToken._meta.db_table}"'


class EmailBackend(ModelBackend):
    """Every password check goes through here, whichever page or endpoint asks (our sign-in, the
    API, Django's /admin/login/), so every one shares the sign-in throttle: a throttled address
    is refused before the password is looked at, and each failure is counted."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kw: Any
    ) -> User | None:
        email = (username or kw.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        ip = client_ip(request)
        try:
            check_sign_in_allowed(email, ip)
        except RateLimited:
            raise PermissionDenied("throttled") from None  # authenticate() then answers None at once
        user = self._check(email, password)
        if user is None:
            note_sign_in_failure(email, ip)
        else:
            clear_sign_in_failures(email, ip)
        return user

    def _check(self, email: str, password: str) -> User | None:
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return str(request.META.get("REMOTE_ADDR") or "-")


def _keys(email: str, ip: str) -> tuple[str, str]:
    who = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"signin:acct-ip:{who}:{ip}", f"signin:ip:{ip}"


def check_sign_in_allowed(email: str, ip: str) -> None:
    """Refuse when this address has failed too often, for this account or for any.

    The throttle is per (account, address) and per address, never per account alone,
    so failures from an attacker's address never lock the real user out of theirs.

    The counts live in the cache. While Redis is unreachable the cache answers as if empty
    (frontdesk.core.resilient_cache), so the throttle *fails open*: sign-ins are checked by
    password alone until Redis is back. Failing closed would lock every user out for as long as a
    cache restart lasts; the window is short, and password hashing (Argon2) still makes guessing slow.
    """
    acct_key, ip_key = _keys(email, ip)
    counts = cache.get_many([acct_key, ip_key])
    if (
        counts.get(acct_key, 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP
        or counts.get(ip_key, 0) >= settings.LOGIN_FAILURES_PER_IP
    ):
        raise RateLimited(
            "Too many failed sign-ins from this address. Try again later.",
            retry_after=settings.LOGIN_THROTTLE_SECONDS,
        )


def note_sign_in_failure(email: str, ip: str) -> None:
    for key in _keys(email, ip):
        if not cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_THROTTLE_SECONDS)


def clear_sign_in_failures(email: str, ip: str) -> None:
    cache.delete(_keys(email, ip)[0])


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    """The active user and token for a bearer secret, recording its use (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    # select_related("user").filter(digest=..., revoked_at__isnull=True).first(), compiled once:
    # this runs on every API request (digest is unique)
    token = read_one_related(
        ApiToken, "user", f'{_TOKENS}."digest" = %s AND {_TOKENS}."revoked_at" IS NULL', [token_digest(secret)]
    )
    if token is None:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def is_same_origin_json(request: HttpRequest) -> bool:
    """True for a JSON request a browser could only have sent from our own pages.

    The sign-in endpoint has no session (so no CSRF token) yet; instead it refuses what a
    cross-site page can send: other content types (HTML forms send only urlencoded,
    multipart or text/plain without a CORS preflight we never grant), a browser's
    ``Sec-Fetch-Site: cross-site``, and an ``Origin`` that is neither ours nor trusted.
    """
    if not request.content_type or request.content_type.lower() != "application/json":
        return False
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser cross-origin request (curl, scripts, same-origin GET-less clients)
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


def sign_in(request: HttpRequest, *, email: str, password: str) -> User:
    """Check the throttle, the password, and start a session: the one sign-in path of the
    API and the pages. Raises RateLimited or Unauthenticated."""
    from django.contrib.auth import authenticate, login

    from frontdesk.core.errors import Unauthenticated

    check_sign_in_allowed(email, client_ip(request))  # a clear 429 with Retry-After before trying
    user = authenticate(request, username=email, password=password)  # counts failures (EmailBackend)
    if user is None:
        raise Unauthenticated("The email or password is wrong.", code="invalid_credentials")
    login(request, user)
    return user  # type: ignore[return-value]
