"""Settings (administrators only): teams, brands and ticket statuses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from frontdesk.accounts import selectors as account_selectors
from frontdesk.accounts.services import team_save
from frontdesk.brands import selectors as brand_selectors
from frontdesk.brands.models import Brand
from frontdesk.brands.services import brand_save
from frontdesk.core.errors import FrontdeskError, ValidationError
from frontdesk.tickets import selectors as ticket_selectors
from frontdesk.tickets.models import StatusCategory
from frontdesk.tickets.services import status_create, status_update
from frontdesk.workspace.access import actor, admin_required, viewer
from frontdesk.workspace.views_settings_forms import (
    FormField,
    checkbox,
    failed,
    lines,
    settings_render,
    text,
)


def _team_form(request: HttpRequest, team: Any = None) -> list[FormField]:
    staff = account_selectors.user_list(viewer=viewer(request), active=True)[:500]
    return [
        FormField("name", _("Name"), value=team.name if team else "", required=True),
        FormField("description", _("Description"), value=team.description if team else ""),
        FormField("restricted", _("Restricted: only members (and supervisors) see its tickets"),
                  kind="checkbox", value=team.restricted if team else False),
        FormField("member_ids", _("Members"), kind="multiselect", error_key="member_ids",
                  choices=[(str(u.pk), f"{u.name or u.email} ({u.get_role_display()})") for u in staff],
                  value=[m.pk for m in team.members.all()] if team else [],
                  help=_("Hold Ctrl (or ⌘) to choose several.")),
    ]


def _member_ids(request: HttpRequest) -> list[int]:
    try:
        return [int(v) for v in request.POST.getlist("member_ids")]
    except ValueError:
        raise ValidationError(_("Unknown members."), fields={"member_ids": "unknown agent"}) from None


def _save_team(request: HttpRequest, team: Any, form: list[FormField]) -> dict[str, Any] | None:
    try:
        team_save(actor=actor(request), team=team, name=text(request, "name"),
                  description=text(request, "description"), restricted=checkbox(request, "restricted"),
                  member_ids=_member_ids(request))
    except FrontdeskError as exc:
        return {**failed(form, exc, request.POST), "status": exc.status}
    return None


@admin_required
def teams(request: HttpRequest) -> HttpResponse:
    form = _team_form(request)
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        ctx = _save_team(request, None, form) or {}
        if not ctx:
            messages.success(request, _("Team created."))
            return redirect("workspace:settings_teams")
    rows = account_selectors.team_list(viewer=viewer(request))
    status = ctx.pop("status", 200)
    return settings_render(request, "teams.html", "teams",
                           {"teams": rows, "form": form, "open_new": status != 200, **ctx}, status)


@admin_required
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = account_selectors.team_get(viewer=viewer(request), team_id=team_id)
    form = _team_form(request, team)
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        ctx = _save_team(request, team, form) or {}
        if not ctx:
            messages.success(request, _("Team saved."))
            return redirect("workspace:settings_teams")
    status = ctx.pop("status", 200)
    return settings_render(request, "edit.html", "teams", {
        "heading": team.name, "form": form, "back": "workspace:settings_teams", "submit": _("Save team"), **ctx,
    }, status)


# --- brands -------------------------------------------------------------------------------

def _brand_form(brand: Brand | None = None) -> list[FormField]:
    b = brand or Brand()
    return [
        FormField("name", _("Name"), value=b.name, required=True),
        FormField("primary_color", _("Primary colour"), kind="color", value=b.primary_color),
        FormField("accent_color", _("Accent colour"), kind="color", value=b.accent_color),
        FormField("support_emails", _("Support email addresses"), value=", ".join(b.support_emails or []),
                  help=_("Separated by commas; mail to these addresses opens tickets of this brand.")),
        FormField("help_center_host", _("Help-centre host"), value=b.help_center_host or "",
                  help=_("e.g. help.example.com")),
        FormField("is_default", _("Default brand"), kind="checkbox", value=b.is_default),
    ]


def _save_brand(request: HttpRequest, brand: Brand | None, form: list[FormField]) -> dict[str, Any] | None:
    data: dict[str, Any] = {
        "name": text(request, "name"), "primary_color": text(request, "primary_color"),
        "accent_color": text(request, "accent_color"), "support_emails": lines(text(request, "support_emails")),
        "help_center_host": text(request, "help_center_host"),
    }
    if checkbox(request, "is_default") or (brand is not None and brand.is_default):
        data["is_default"] = checkbox(request, "is_default")
    try:
        brand_save(actor=actor(request), brand=brand, **data)
    except FrontdeskError as exc:
        return {**failed(form, exc, request.POST), "status": exc.status}
    return None


@admin_required
def brands(request: HttpRequest) -> HttpResponse:
    form = _brand_form()
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        ctx = _save_brand(request, None, form) or {}
        if not ctx:
            messages.success(request, _("Brand created."))
            return redirect("workspace:settings_brands")
    status = ctx.pop("status", 200)
    return settings_render(request, "brands.html", "brands", {
        "brands": brand_selectors.brand_list(viewer=viewer(request)), "form": form, "open_new": status != 200,
        **ctx,
    }, status)


@admin_required
def brand_edit(request: HttpRequest, brand_id: int) -> HttpResponse:
    brand = brand_selectors.brand_get(viewer=viewer(request), brand_id=brand_id)
    form = _brand_form(brand)
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        ctx = _save_brand(request, brand, form) or {}
        if not ctx:
            messages.success(request, _("Brand saved."))
            return redirect("workspace:settings_brands")
    status = ctx.pop("status", 200)
    return settings_render(request, "edit.html", "brands", {
        "heading": brand.name, "form": form, "back": "workspace:settings_brands", "submit": _("Save brand"),
        **ctx,
    }, status)


# --- ticket statuses ----------------------------------------------------------------------

def _position(request: HttpRequest) -> int | None:
    raw = text(request, "position")
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError(_("The status is not valid."), fields={"position": "a non-negative number"})
    return int(raw)


@admin_required
def statuses(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form = [
        FormField("label", _("Label"), required=True),
        FormField("key", _("Key"), help=_("Lower-case, e.g. waiting_for_vendor. Cannot change later.")),
        FormField("category", _("Category"), kind="select", value=StatusCategory.OPEN,
                  choices=[(str(v), str(label)) for v, label in StatusCategory.choices]),
        FormField("position", _("Position"), kind="number", help=_("Lower comes first.")),
    ]
    ctx: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            label = text(request, "label")
            key = text(request, "key") or label.lower().replace(" ", "_")[:40]
            status_create(actor=actor(request), key=key, label=label, category=text(request, "category"),
                          position=_position(request))
        except FrontdeskError as exc:
            ctx, status = failed(form, exc, request.POST), exc.status
        else:
            messages.success(request, _("Status added."))
            return redirect("workspace:settings_statuses")
    rows = ticket_selectors.status_list(viewer=me, include_inactive=True)
    return settings_render(request, "statuses.html", "statuses", {
        "statuses": rows, "form": form, "open_new": status != 200, **ctx,
    }, status)


@admin_required
def status_edit(request: HttpRequest, status_id: int) -> HttpResponse:
    """Rename, move or (custom ones) deactivate a status; errors are shown on the list."""
    me = viewer(request)
    obj = ticket_selectors.status_get(viewer=me, status_id=status_id)
    if request.method == "POST":
        try:
            status_update(actor=actor(request), status=obj, label=text(request, "label"),
                          position=_position(request),
                          active=None if obj.builtin else checkbox(request, "active"))
        except FrontdeskError as exc:
            messages.error(request, f"{obj.key}: {exc.message} "
                           + "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items()))
        else:
            messages.success(request, _("Status saved."))
    return redirect("workspace:settings_statuses")
