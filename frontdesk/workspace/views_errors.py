"""Not found and server errors: inside the workspace's frame for signed-in agents, JSON on the API,
a plain page for everyone else (and whenever the frame itself cannot be drawn)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

from frontdesk.core.errors import NotFound
from frontdesk.core.unavailable import is_database_outage, outage_response

log = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _agent(request: HttpRequest, *, loaded_only: bool = False) -> Any:
    """The signed-in agent of the request, or None. ``loaded_only``: only if the request already
    read them (a 500 page asks the database nothing it did not already ask)."""
    user = getattr(request, "_cached_user", None) if loaded_only else getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and getattr(user, "is_agent", False):
        return user
    return None


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``."""
    if _is_api(request):
        return JsonResponse(NotFound("Not found.").as_dict(), status=404)
    if _agent(request) is not None:
        return render(request, "workspace/404.html", {"missing_path": request.path}, status=404)
    return render(request, "workspace/404_plain.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``. A database outage answers 503 (frontdesk.core.unavailable); the API answers
    JSON; a signed-in agent sees the error inside the frame, drawn without the navigation's
    queries; anything that fails while drawing it falls back to Django's plain page."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return outage_response(request, exc)
    if _is_api(request):
        body = {"error": {"code": "server_error", "message": "Something went wrong on our side.", "fields": {}}}
        return JsonResponse(body, status=500)
    try:
        user = _agent(request, loaded_only=True)
        if user is not None:
            html = render_to_string("workspace/500.html", {"chrome_minimal": True, "user": user}, request=request)
            return HttpResponse(html, status=500)
    except Exception:
        log.exception("the error page could not be drawn in the frame")
    return defaults.server_error(request)
