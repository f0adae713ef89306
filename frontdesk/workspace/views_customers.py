"""Customer (contact) and organisation pages: lists, the 360 page, edits, identities, notes, merge."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontdesk.core import channels
from frontdesk.core.errors import FrontdeskError, ValidationError
from frontdesk.core.ids import check_id
from frontdesk.core.pagination import keyset_page_or_first
from frontdesk.customers import selectors, services
from frontdesk.customers.identity_kinds import identity_kind_choices
from frontdesk.customers.models import Contact, Organisation
from frontdesk.fields.selectors import custom_field_list
from frontdesk.tickets.contact360 import contact_360
from frontdesk.tickets.selectors import ticket_list
from frontdesk.workspace.access import actor, agent_required, viewer
from frontdesk.workspace.views_settings_forms import (
    FormField,
    attach_errors,
    checkbox,
    custom_field_inputs,
    custom_field_values,
    lines,
    refill,
    text,
)

PAGE_SIZE = 50


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(available_timezones()) if "/" in z or z == "UTC"]


def _org_choices(request: HttpRequest, current: Organisation | None = None) -> list[tuple[str, str]]:
    """The first 300 organisations by name, and always the contact's own (so saving the form never
    silently detaches a contact whose organisation is further down the alphabet)."""
    orgs = selectors.organisation_list(viewer=viewer(request)).prefetch_related(None).only("pk", "name")[:300]
    choices = [("", _("No organisation")), *((str(o.pk), o.name) for o in orgs)]
    if current is not None and all(value != str(current.pk) for value, _label in choices):
        choices.insert(1, (str(current.pk), current.name))
    return choices


def _int_or_none(raw: str | None) -> int | None:
    try:
        return check_id(int(raw), "Organisation") if raw else None
    except ValueError:
        raise ValidationError(_("Not a number."), fields={"organisation": "not a number"}) from None


def _vip_filter(raw: str) -> bool | None:
    return {"1": True, "0": False}.get(raw)


# --- contacts -----------------------------------------------------------------------------

def _new_contact_form(request: HttpRequest) -> list[FormField]:
    return [
        FormField("name", _("Name"), autocomplete="off"),
        FormField("email", _("Email"), kind="email", autocomplete="off"),
        FormField("phone", _("Phone"), autocomplete="off"),
        FormField("organisation", _("Organisation"), kind="select", choices=_org_choices(request),
                  error_key="organisation_id"),
    ]


@agent_required
def customer_list(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form = _new_contact_form(request)
    form_error = form_left = None
    status = 200
    if request.method == "POST":
        refill(form, request.POST)
        try:
            contact = services.contact_create(
                actor=actor(request), name=text(request, "name"),
                email=text(request, "email") or None, phone=text(request, "phone") or None,
                organisation=_int_or_none(request.POST.get("organisation")),
            )
        except FrontdeskError as exc:
            form_error, form_left, status = exc, attach_errors(form, exc), exc.status
        else:
            messages.success(request, _("Customer created."))
            return redirect("workspace:customer", contact_id=contact.pk)
    q = request.GET.get("q", "").strip()
    org_id = _int_or_none(request.GET.get("organisation"))
    vip = _vip_filter(request.GET.get("vip", ""))
    page = keyset_page_or_first(
        selectors.contact_list(viewer=me, q=q or None, organisation_id=org_id, vip=vip),
        sort="name", cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE,
    )
    return render(request, "workspace/customers/list.html", {
        "nav": "customers", "page": page, "q": q, "org_id": org_id, "vip": request.GET.get("vip", ""),
        "org_choices": form[3].choices, "form": form, "form_error": form_error, "form_left": form_left,
        "open_new": status != 200,
    }, status=status)


def _contact_form(request: HttpRequest, contact: Contact, definitions: list) -> list[FormField]:
    langs = [("", "—"), *((code, f"{name} ({code})") for code, name in settings.LANGUAGES)]
    if contact.language and contact.language not in dict(langs):
        langs.append((contact.language, contact.language))
    return [
        FormField("name", _("Name"), value=contact.name),
        FormField("organisation", _("Organisation"), kind="select",
                  choices=_org_choices(request, contact.organisation),
                  value=contact.organisation_id or "", error_key="organisation_id"),
        FormField("language", _("Language"), kind="select", choices=langs, value=contact.language),
        FormField("time_zone", _("Time zone"), kind="select", value=contact.time_zone,
                  choices=[("", "—"), *time_zone_choices()]),
        FormField("preferred_channel", _("Preferred channel"), kind="select", value=contact.preferred_channel,
                  choices=[("", "—"), *((str(v), str(label)) for v, label in channels.choices())]),
        FormField("tier", _("Tier"), value=contact.tier),
        FormField("vip", _("VIP customer"), kind="checkbox", value=contact.vip),
        FormField("tags", _("Tags"), value=", ".join(t.name for t in contact.tags.all()),
                  help=_("Separated by commas.")),
        FormField("notes", _("Notes"), kind="textarea", value=contact.notes),
        *custom_field_inputs(definitions, contact.custom_fields),
    ]


def _contact_page(request: HttpRequest, contact_id: int, *, form: list[FormField] | None = None,
                  errors: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    me = viewer(request)
    contact = selectors.contact_get(viewer=me, contact_id=contact_id)
    if contact.merged_into_id and request.method == "GET":
        messages.info(request, _("This customer was merged; showing the contact it was merged into."))
        return redirect("workspace:customer", contact_id=contact.merged_into_id)
    definitions = list(custom_field_list(viewer=me, applies_to="contact", active=True))
    if form is None:
        form = _contact_form(request, contact, definitions)
    view = contact_360(viewer=me, contact_id=contact.pk)
    return render(request, "workspace/customers/detail.html", {
        "nav": "customers", "contact": contact, "c360": view, "form": form,
        "identity_kinds": identity_kind_choices(), "custom_values": _custom_display(definitions, contact),
        **(errors or {}),
    }, status=status)


def _custom_display(definitions: list, obj: Contact | Organisation) -> list[tuple[str, str]]:
    """Label and shown value of each filled custom field (lists joined, booleans in words)."""
    out = []
    for d in definitions:
        if d.key not in obj.custom_fields:
            continue
        value = obj.custom_fields[d.key]
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        out.append((d.label, str(value)))
    return out


@agent_required
def customer_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    if request.method != "POST":
        return _contact_page(request, contact_id)
    me = viewer(request)
    contact = selectors.contact_get(viewer=me, contact_id=contact_id)
    definitions = list(custom_field_list(viewer=me, applies_to="contact", active=True))
    form = _contact_form(request, contact, definitions)
    refill(form, request.POST)
    try:
        services.contact_update(
            actor=actor(request), contact=contact, name=text(request, "name"),
            organisation=_int_or_none(request.POST.get("organisation")),
            language=text(request, "language"), time_zone=text(request, "time_zone"),
            preferred_channel=text(request, "preferred_channel"), tier=text(request, "tier"),
            vip=checkbox(request, "vip"), notes=request.POST.get("notes", ""),
            tags=lines(request.POST.get("tags", "")),
            custom_fields=custom_field_values(request, definitions),
        )
    except FrontdeskError as exc:
        left = attach_errors(form, exc)
        return _contact_page(request, contact_id, form=form, status=exc.status,
                             errors={"form_error": exc, "form_left": left})
    messages.success(request, _("Customer saved."))
    return redirect("workspace:customer", contact_id=contact.pk)


def _contact_action(request: HttpRequest, contact_id: int, action: Any, done: str) -> HttpResponse:
    """Run one service for this contact, then back to its page (errors shown at the top)."""
    me = viewer(request)
    contact = selectors.contact_get(viewer=me, contact_id=contact_id)
    try:
        action(me, contact)
    except FrontdeskError as exc:
        return _contact_page(request, contact_id, status=exc.status,
                             errors={"action_error": exc})
    messages.success(request, done)
    return redirect(reverse("workspace:customer", args=[contact.pk]) + "#identities")


@require_POST
@agent_required
def identity_add(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _contact_action(request, contact_id, lambda me, c: services.identity_add(
        actor=actor(request), contact=c, kind=text(request, "kind"), value=text(request, "value"),
    ), _("Identity added."))


@require_POST
@agent_required
def identity_remove(request: HttpRequest, contact_id: int, identity_id: int) -> HttpResponse:
    return _contact_action(request, contact_id, lambda me, c: services.identity_remove(
        actor=actor(request), contact=c, identity_id=check_id(identity_id, "Identity"),
    ), _("Identity removed."))


@require_POST
@agent_required
def note_add(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _contact_action(request, contact_id, lambda me, c: services.contact_note_add(
        actor=actor(request), contact=c, body=request.POST.get("body", ""),
    ), _("Note added."))


@agent_required
def customer_merge(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Search a target, confirm, merge; the merged contact's page then shows the target."""
    me = viewer(request)
    source = selectors.contact_get(viewer=me, contact_id=contact_id)
    raw_target = request.POST.get("target") or request.GET.get("target")
    target = selectors.contact_get(viewer=me, contact_id=_int_or_none(raw_target) or 0) if raw_target else None
    if request.method == "POST" and target is not None:
        merged = services.contacts_merge(actor=actor(request), source=source, target=target)
        messages.success(request, _("Customers merged."))
        return redirect("workspace:customer", contact_id=merged.pk)
    q = request.GET.get("q", "").strip()
    candidates = []
    if q and target is None:
        candidates = [c for c in selectors.contact_list(viewer=me, q=q)[:20] if c.pk != source.pk]
    return render(request, "workspace/customers/merge.html", {
        "nav": "customers", "source": source, "target": target, "q": q, "candidates": candidates,
    })


# --- organisations ------------------------------------------------------------------------

@agent_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form_error = None
    name_field = FormField("name", _("Name"), required=True)
    status = 200
    if request.method == "POST":
        refill([name_field], request.POST)
        try:
            org = services.organisation_save(
                actor=actor(request), name=text(request, "name"),
                domains=lines(request.POST.get("domains", "")),
            )
        except FrontdeskError as exc:
            form_error, status = exc, exc.status
            attach_errors([name_field], exc)
        else:
            messages.success(request, _("Organisation created."))
            return redirect("workspace:organisation", organisation_id=org.pk)
    q = request.GET.get("q", "").strip()
    vip = _vip_filter(request.GET.get("vip", ""))
    page = keyset_page_or_first(selectors.organisation_list(viewer=me, q=q or None, vip=vip), sort="name",
                       cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    return render(request, "workspace/customers/organisations.html", {
        "nav": "organisations", "page": page, "q": q, "vip": request.GET.get("vip", ""),
        "form": [name_field, FormField("domains", _("Email domains"), value=request.POST.get("domains", ""),
                                       help=_("Separated by commas, e.g. example.com"))],
        "form_error": form_error, "form_left": (form_error.fields if form_error else None),
        "open_new": status != 200,
    }, status=status)


def _org_form(org: Organisation, definitions: list) -> list[FormField]:
    return [
        FormField("name", _("Name"), value=org.name, required=True),
        FormField("domains", _("Email domains"), value=", ".join(d.domain for d in org.domains.all()),
                  help=_("New customers writing from these domains join the organisation.")),
        FormField("tier", _("Tier"), value=org.tier),
        FormField("vip", _("VIP organisation"), kind="checkbox", value=org.vip),
        FormField("tags", _("Tags"), value=", ".join(t.name for t in org.tags.all()), help=_("Separated by commas.")),
        FormField("notes", _("Notes"), kind="textarea", value=org.notes),
        *custom_field_inputs(definitions, org.custom_fields),
    ]


@agent_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    me = viewer(request)
    org = selectors.organisation_get(viewer=me, organisation_id=organisation_id)
    definitions = list(custom_field_list(viewer=me, applies_to="organisation", active=True))
    form = _org_form(org, definitions)
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        refill(form, request.POST)
        try:
            services.organisation_save(
                actor=actor(request), organisation=org, name=text(request, "name"),
                domains=lines(request.POST.get("domains", "")), tier=text(request, "tier"),
                vip=checkbox(request, "vip"), notes=request.POST.get("notes", ""),
                tags=lines(request.POST.get("tags", "")),
                custom_fields=custom_field_values(request, definitions),
            )
        except FrontdeskError as exc:
            extra = {"form_error": exc, "form_left": attach_errors(form, exc)}
            status = exc.status
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("workspace:organisation", organisation_id=org.pk)
    contacts = list(selectors.contact_list(viewer=me, organisation_id=org.pk).prefetch_related(None)[:PAGE_SIZE])
    tickets = list(ticket_list(viewer=me, filters={"organisation_id": org.pk}).order_by("-created_at", "-pk")[:25])
    return render(request, "workspace/customers/organisation.html", {
        "nav": "organisations", "org": org, "form": form, "contacts": contacts, "tickets": tickets,
        "custom_values": _custom_display(definitions, org), **extra,
    }, status=status)
