"""Page-wide headers and the viewer's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static/.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # https: only for the remote images of a message an agent chose to load (received mail
        # never loads them by itself: frontdesk.core.html keeps them aside) and images agents write
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src {connect}",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


def content_security_policy(request: HttpRequest) -> str:
    """The policy for one response: fetches and websockets only to this site's own origin (the host
    Django validated against ALLOWED_HOSTS), never to any host a script names."""
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host header: the strictest policy
        return CONTENT_SECURITY_POLICY.format(connect="'self'")
    socket = "wss" if request.is_secure() else "ws"
    return CONTENT_SECURITY_POLICY.format(connect=f"'self' {socket}://{host}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request))
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ViewerTimezoneMiddleware:
    """Dates on pages are shown in the signed-in person's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
