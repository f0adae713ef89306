"""Who may open the workspace pages, and helpers every page view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import FrontdeskError

View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    """Signed-in staff only. Anonymous people are sent to sign in; customers are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(user, "is_agent", False) or not user.is_active:
            return render(request, "workspace/refused.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except FrontdeskError as exc:
            return error_page(request, exc)

    return wrapper


def admin_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_admin", False):
            return render(request, "workspace/refused.html", {"admin_only": True}, status=403)
        return view(request, *args, **kwargs)

    return agent_required(wrapper)


def error_page(request: HttpRequest, exc: FrontdeskError) -> HttpResponse:
    """A domain error shown as a page (full) or as a fragment (HTMX requests)."""
    template = "workspace/_error.html" if request.headers.get("HX-Request") else "workspace/error.html"
    return render(request, template, {"error": exc}, status=exc.status)


def viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def actor(request: HttpRequest) -> Actor:
    return Actor.of(viewer(request))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
