"""Sign-in, sign-out and where the home page sends people."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontdesk.accounts.auth import sign_in
from frontdesk.core.errors import RateLimited, Unauthenticated


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


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and getattr(user, "is_agent", False):
        return redirect("workspace:views")
    return render(request, "core/home.html", {})
