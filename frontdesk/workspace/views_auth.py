"""Sign-in, sign-out and where the home page sends people."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontdesk.accounts.auth import sign_in
from frontdesk.accounts.models import User
from frontdesk.core.errors import RateLimited, Unauthenticated
from frontdesk.tickets.queue_selectors import view_list


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    context = {"next": _next_url(request), "email": ""}
    status = 200
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        context["email"] = email
        try:
            sign_in(request, email=email, password=request.POST.get("password", ""))
            return redirect(context["next"])
        except RateLimited as exc:
            context["error"] = _("Too many failed sign-ins from this address. Try again in %(minutes)d minutes.") % {
                "minutes": max(1, exc.retry_after // 60)
            }
            status = 429
        except Unauthenticated:
            context["error"] = _("The email or password is wrong.")
            status = 401
    return render(request, "workspace/login.html", context, status=status)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("workspace:login")


def default_view_id(user: User) -> int | None:
    """The queue an agent starts the day in: the first view of their sidebar (their own, shared and
    their teams' views, by position). None when they have no view."""
    return view_list(viewer=user).values_list("pk", flat=True).first()


def home(request: HttpRequest) -> HttpResponse:
    """``/``: agents open their default queue (the views list when they have none)."""
    user = request.user
    if isinstance(user, User) and user.is_active and user.is_agent:
        view_id = default_view_id(user)
        return redirect("workspace:view", view_id) if view_id else redirect("workspace:views")
    return render(request, "core/home.html", {})
