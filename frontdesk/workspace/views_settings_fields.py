"""Settings (administrators only): custom fields, tags and everyone's API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontdesk.accounts.selectors import token_list_all
from frontdesk.accounts.services import token_revoke
from frontdesk.core.errors import FrontdeskError
from frontdesk.core.ids import check_id
from frontdesk.core.pagination import keyset_page_or_first
from frontdesk.fields import selectors
from frontdesk.fields.models import AppliesTo, CustomField, FieldType
from frontdesk.fields.services import custom_field_save
from frontdesk.workspace.access import actor, admin_required, viewer
from frontdesk.workspace.views_settings_forms import FormField, checkbox, failed, settings_render, text

PAGE_SIZE = 100


def _options(request: HttpRequest) -> list[str]:
    """One choice per line (commas are allowed inside a choice)."""
    return [line.strip() for line in request.POST.get("options", "").splitlines() if line.strip()]


def _common_inputs(cf: CustomField | None) -> list[FormField]:
    return [
        FormField("label", _("Label"), value=cf.label if cf else "", required=True),
        FormField("options", _("Choices (dropdown and multi-select only)"), kind="textarea",
                  value="\n".join(cf.options) if cf else "", help=_("One choice per line.")),
        FormField("description", _("Help text for agents"), value=cf.description if cf else ""),
        FormField("required", _("Required"), kind="checkbox", value=cf.required if cf else False),
    ]


@admin_required
def fields(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    applies_to = request.GET.get("applies_to") or request.POST.get("applies_to") or AppliesTo.TICKET
    if applies_to not in AppliesTo.values:
        applies_to = AppliesTo.TICKET
    form = [
        FormField("applies_to", _("Applies to"), kind="select", value=applies_to,
                  choices=[(str(v), str(label)) for v, label in AppliesTo.choices]),
        FormField("type", _("Type"), kind="select", value=FieldType.TEXT,
                  choices=[(str(v), str(label)) for v, label in FieldType.choices]),
        *_common_inputs(None),
        FormField("key", _("Key"), help=_("Used by the API; made from the label when empty. Cannot change later.")),
    ]
    ctx: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        label = text(request, "label")
        key = text(request, "key") or slugify(label).replace("-", "_")[:60]
        try:
            custom_field_save(
                actor=actor(request), applies_to=text(request, "applies_to"), key=key, label=label,
                type=text(request, "type"), options=_options(request), required=checkbox(request, "required"),
                description=text(request, "description"),
            )
        except FrontdeskError as exc:
            ctx, status = failed(form, exc, request.POST), exc.status
        else:
            messages.success(request, _("Custom field “%(label)s” created.") % {"label": label})
            return redirect(f"{request.path}?applies_to={applies_to}")
    rows = selectors.custom_field_list(viewer=me, applies_to=applies_to)
    return settings_render(request, "fields.html", "fields", {
        "fields_list": rows, "form": form, "applies_to": applies_to, "kinds": AppliesTo.choices,
        "open_new": status != 200, **ctx,
    }, status)


@admin_required
def field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    me = viewer(request)
    cf = selectors.custom_field_get(viewer=me, field_id=field_id)
    form = [*_common_inputs(cf), FormField("active", _("Active"), kind="checkbox", value=cf.active)]
    if cf.type not in (FieldType.DROPDOWN, FieldType.MULTISELECT):
        form = [f for f in form if f.name != "options"]
    ctx: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        changes: dict[str, Any] = {
            "label": text(request, "label"), "description": text(request, "description"),
            "required": checkbox(request, "required"), "active": checkbox(request, "active"),
        }
        if cf.type in (FieldType.DROPDOWN, FieldType.MULTISELECT):
            changes["options"] = _options(request)
        try:
            custom_field_save(actor=actor(request), field=cf, **changes)
        except FrontdeskError as exc:
            ctx, status = failed(form, exc, request.POST), exc.status
        else:
            messages.success(request, _("Custom field saved."))
            return redirect(reverse("workspace:settings_fields") + f"?applies_to={cf.applies_to}")
    return settings_render(request, "edit.html", "fields", {
        "heading": f"{cf.label} ({cf.get_applies_to_display()} · {cf.get_type_display()} · {cf.key})",
        "form": form, "back": "workspace:settings_fields", "submit": _("Save field"), **ctx,
    }, status)


@admin_required
def tokens(request: HttpRequest) -> HttpResponse:
    active = request.GET.get("show") != "all"
    qs = token_list_all(viewer=viewer(request))
    if active:
        qs = qs.filter(revoked_at__isnull=True)
    page = keyset_page_or_first(qs, sort="-id", cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    return settings_render(request, "tokens.html", "tokens", {"page": page, "show_all": not active})


@require_POST
@admin_required
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = token_revoke(actor=actor(request), token_id=check_id(token_id, "Token"))
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("workspace:settings_tokens")
