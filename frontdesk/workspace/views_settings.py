"""Settings (administrators only): the index and users and roles."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from frontdesk.accounts import selectors, services
from frontdesk.accounts.models import Role
from frontdesk.core.errors import FrontdeskError
from frontdesk.core.ids import check_id
from frontdesk.core.pagination import keyset_page_or_first
from frontdesk.workspace.access import actor, admin_required, viewer
from frontdesk.workspace.views_settings_forms import FormField, checkbox, failed, settings_render, text

PAGE_SIZE = 50


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    return settings_render(request, "index.html", "", {})


def _staff_roles() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Role.choices if v != Role.CUSTOMER]


def _new_user_form() -> list[FormField]:
    return [
        FormField("email", _("Email"), kind="email", required=True, autocomplete="off"),
        FormField("name", _("Name")),
        FormField("role", _("Role"), kind="select", choices=_staff_roles(), value=Role.AGENT),
        FormField("password", _("Temporary password"), kind="password", autocomplete="new-password",
                  help=_("Leave empty to create the account without a password (sign-in by reset or SSO).")),
    ]


@admin_required
def users(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form = _new_user_form()
    ctx: dict = {}
    status = 200
    if request.method == "POST":
        try:
            user = services.user_create(
                actor=actor(request), email=text(request, "email"), name=text(request, "name"),
                role=text(request, "role"), password=request.POST.get("password") or None,
            )
        except FrontdeskError as exc:
            ctx, status = failed(form, exc, request.POST), exc.status
        else:
            messages.success(request, _("User %(email)s created.") % {"email": user.email})
            return redirect("workspace:settings_users")
    role = request.GET.get("role", "")
    active = {"1": True, "0": False}.get(request.GET.get("active", ""))
    page = keyset_page_or_first(
        selectors.user_list(viewer=me, role=role or None, active=active,
                            email_prefix=request.GET.get("q") or None),
        sort="email", cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE,
    )
    return settings_render(request, "users.html", "users", {
        "page": page, "form": form, "roles": _staff_roles(), "role": role,
        "active": request.GET.get("active", ""), "q": request.GET.get("q", ""), "open_new": status != 200, **ctx,
    }, status)


@admin_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    me = viewer(request)
    user = selectors.user_get(viewer=me, user_id=check_id(user_id, "User"))
    form = [
        FormField("name", _("Name"), value=user.name),
        FormField("role", _("Role"), kind="select", choices=_staff_roles(), value=user.role),
        FormField("is_active", _("Active (may sign in)"), kind="checkbox", value=user.is_active),
    ]
    ctx: dict = {}
    status = 200
    if request.method == "POST":
        try:
            services.user_update(actor=actor(request), user=user, name=text(request, "name"),
                                 role=text(request, "role"), is_active=checkbox(request, "is_active"))
        except FrontdeskError as exc:
            ctx, status = failed(form, exc, request.POST), exc.status
        else:
            messages.success(request, _("User saved."))
            return redirect("workspace:settings_users")
    return settings_render(request, "user_edit.html", "users", {"person": user, "form": form, **ctx}, status)
