"""The profile page every agent has: name, signature, time zone, language, notifications,
password and personal API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontdesk.accounts import selectors, services
from frontdesk.core.errors import FrontdeskError
from frontdesk.core.ids import check_id
from frontdesk.workspace.access import actor, agent_required, viewer
from frontdesk.workspace.views_customers import time_zone_choices
from frontdesk.workspace.views_settings_forms import FormField, checkbox, failed, text

NOTIFICATIONS = (
    ("assigned", gettext_lazy("Email me when a ticket is assigned to me")),
    ("mentioned", gettext_lazy("Email me when I am mentioned")),
    ("followed", gettext_lazy("Email me when a ticket I follow changes")),
)


def _profile_form(user: Any) -> list[FormField]:
    chosen = user.notification_settings or {}
    return [
        FormField("name", _("Name"), value=user.name, autocomplete="name"),
        FormField("time_zone", _("Time zone"), kind="select", value=user.time_zone, choices=time_zone_choices()),
        FormField("language", _("Language"), kind="select", value=user.language,
                  choices=[(code, str(name)) for code, name in settings.LANGUAGES]),
        FormField("signature", _("Signature"), kind="textarea", value=user.signature,
                  help=_("Added under your emailed replies. The composer shows it, and you can change it there "
                         "for one message.")),
        *(FormField(f"notify_{key}", str(label), kind="checkbox", value=chosen.get(key, False),
                    error_key="notification_settings") for key, label in NOTIFICATIONS),
    ]


def _password_form() -> list[FormField]:
    return [
        FormField("current_password", _("Current password"), kind="password", autocomplete="current-password"),
        FormField("new_password", _("New password"), kind="password", autocomplete="new-password",
                  error_key="password"),
    ]


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    me = viewer(request)
    ctx = {
        "nav": "profile", "form": _profile_form(me), "password_form": _password_form(),
        "token_form": [FormField("token_name", _("Token name"), help=_("What it is for, e.g. \"CRM sync\"."))],
        "tokens": selectors.token_list(viewer=me, owner=me),
        "secret": request.session.pop("new_token_secret", None),
        **extra,
    }
    return render(request, "workspace/profile/profile.html", ctx, status=status)


@agent_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    me = viewer(request)
    form = _profile_form(me)
    try:
        services.user_update(
            actor=actor(request), user=me, name=text(request, "name"),
            time_zone=text(request, "time_zone"), language=text(request, "language"),
            signature=request.POST.get("signature", ""),
            notification_settings={key: checkbox(request, f"notify_{key}") for key, _label in NOTIFICATIONS},
        )
    except FrontdeskError as exc:
        return _page(request, exc.status, form=form, **failed(form, exc, request.POST))
    messages.success(request, _("Profile saved."))
    return redirect("workspace:profile")


@require_POST
@agent_required
def password(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form = _password_form()
    try:
        user = services.password_change(actor=actor(request), user=me,
                                        current_password=request.POST.get("current_password", ""),
                                        new_password=request.POST.get("new_password", ""))
    except FrontdeskError as exc:
        ctx = failed(form, exc, request.POST)
        return _page(request, exc.status, password_form=form, password_error=ctx["form_error"],
                     password_left=ctx["form_left"])
    update_session_auth_hash(request, user)  # this session stays; every other one ends
    messages.success(request, _("Password changed. Your other sessions were signed out."))
    return redirect("workspace:profile")


@require_POST
@agent_required
def token_create(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    try:
        _token, secret = services.token_create(actor=actor(request), user=me, name=text(request, "token_name"))
    except FrontdeskError as exc:
        return _page(request, exc.status, token_error=exc)
    # shown once, on the next page only (POST/redirect/GET): the session forgets it when shown
    request.session["new_token_secret"] = secret
    return redirect("workspace:profile")


@require_POST
@agent_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    me = viewer(request)
    token = services.token_revoke(actor=actor(request), token_id=check_id(token_id, "Token"), owner=me)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("workspace:profile")
