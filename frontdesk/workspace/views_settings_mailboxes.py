"""Settings (administrators only): email mailboxes and the quarantine of inbound mail.

Every read and write goes through ``frontdesk.channels.email.mailboxes`` and ``.inbound``, the
services the API uses. Passwords are write-only: the form never shows them, and an empty
password input leaves the stored one as it is (the field is simply not sent to the service).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontdesk.accounts import selectors as account_selectors
from frontdesk.brands import selectors as brand_selectors
from frontdesk.channels.email import inbound, mailboxes
from frontdesk.channels.email.models import InboundStatus, Mailbox
from frontdesk.core.errors import FrontdeskError, ValidationError
from frontdesk.core.pagination import keyset_page_or_first
from frontdesk.workspace.access import actor, admin_required, viewer
from frontdesk.workspace.views_settings_forms import FormField, checkbox, failed, settings_render, text

PAGE_SIZE = 100
QUARANTINE_PAGE_SIZE = 50
NUMBERS = ("imap_port", "smtp_port", "max_message_bytes")
TEXTS = ("name", "address", "imap_host", "imap_user", "imap_folder", "imap_move_to", "smtp_host", "smtp_user")
CHECKS = ("active", "imap_ssl", "smtp_starttls", "smtp_ssl", "auto_acknowledge")
PASSWORDS = ("imap_password", "smtp_password")


# --- the form -----------------------------------------------------------------------------

def _password(name: str, label: str, is_set: bool, editing: bool) -> FormField:
    if not editing:
        hint = _("Leave empty if the server needs none.")
    elif is_set:
        hint = _("A password is stored. Leave empty to keep the current password.")
    else:
        hint = _("No password is stored. Leave empty to keep it that way.")
    return FormField(name, label, kind="password", autocomplete="new-password", help=hint)


def _groups(request: HttpRequest, mailbox: Mailbox | None) -> list[tuple[str, str, list[FormField]]]:
    """The inputs, grouped as the page shows them: (title, note, fields)."""
    me = viewer(request)
    m = mailbox or Mailbox()
    brands = [(str(b.pk), b.name) for b in brand_selectors.brand_list(viewer=me).order_by("name")]
    teams = [("", _("— no team —"))] + [
        (str(t.pk), t.name) for t in account_selectors.team_list(viewer=me).prefetch_related(None).order_by("name")
    ]
    editing = mailbox is not None
    imap = [
        FormField("imap_host", _("IMAP server"), value=m.imap_host, help=_("e.g. imap.example.com")),
        FormField("imap_port", _("Port"), kind="number", value=m.imap_port),
        FormField("imap_user", _("User name"), value=m.imap_user, autocomplete="off"),
        _password("imap_password", _("Password"), bool(m.imap_password), editing),
        FormField("imap_folder", _("Folder"), value=m.imap_folder),
        FormField("imap_move_to", _("Move processed mail to"), value=m.imap_move_to,
                  help=_("A folder; when empty, processed mail is only marked as read.")),
        FormField("imap_ssl", _("Use TLS (IMAPS)"), kind="checkbox", value=m.imap_ssl),
    ]
    smtp = [
        FormField("smtp_host", _("SMTP server"), value=m.smtp_host, help=_("e.g. smtp.example.com")),
        FormField("smtp_port", _("Port"), kind="number", value=m.smtp_port),
        FormField("smtp_user", _("User name"), value=m.smtp_user, autocomplete="off"),
        _password("smtp_password", _("Password"), bool(m.smtp_password), editing),
        FormField("smtp_starttls", _("STARTTLS"), kind="checkbox", value=m.smtp_starttls),
        FormField("smtp_ssl", _("TLS from the start (SMTPS)"), kind="checkbox", value=m.smtp_ssl),
    ]
    if editing and m.imap_password:
        imap.append(FormField("imap_password_clear", _("Remove the stored IMAP password"), kind="checkbox"))
    if editing and m.smtp_password:
        smtp.append(FormField("smtp_password_clear", _("Remove the stored SMTP password"), kind="checkbox"))
    return [
        (_("General"), "", [
            FormField("name", _("Name"), value=m.name, required=True),
            FormField("address", _("Address"), kind="email", value=m.address, required=True,
                      help=_("Mail to this address (and its +tags) reaches this mailbox.")),
            FormField("brand_id", _("Brand"), kind="select", value=m.brand_id or (brands[0][0] if brands else ""),
                      choices=brands, required=True),
            FormField("team_id", _("Team"), kind="select", value=m.team_id or "", choices=teams,
                      help=_("New tickets from this mailbox go to this team.")),
            FormField("active", _("Active: receive and send mail"), kind="checkbox",
                      value=m.active if editing else True),
        ]),
        (_("IMAP intake"), _("Leave the server empty when mail arrives from your MTA or a provider's webhook."),
         imap),
        (_("SMTP sending"), _("Leave the server empty to send through the site's default mail server."), smtp),
        (_("Options"), "", [
            FormField("max_message_bytes", _("Largest message (bytes)"), kind="number",
                      value=m.max_message_bytes,
                      help=_("Larger messages are quarantined; 26214400 bytes is 25 MiB.")),
            FormField("auto_acknowledge", _("Acknowledge new tickets automatically"), kind="checkbox",
                      value=m.auto_acknowledge),
        ]),
    ]


def _flat(groups: list[tuple[str, str, list[FormField]]]) -> list[FormField]:
    return [f for _title, _note, fields in groups for f in fields]


def _whole(request: HttpRequest, name: str, errors: dict[str, str]) -> int | None:
    raw = text(request, name)
    if raw.isdigit() and len(raw) < 19:  # below 2^63: ids stay in the database's range
        return int(raw)
    errors[name] = _("required") if not raw else _("out of range") if raw.isdigit() else _("a whole number")
    return None


def _submitted(request: HttpRequest, mailbox: Mailbox | None) -> dict[str, Any]:
    """The form as the service's keyword arguments. Only the input's form is checked here
    (numbers are numbers); the rules are the service's."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {name: text(request, name) for name in TEXTS}
    data.update({name: checkbox(request, name) for name in CHECKS})
    data.update({name: _whole(request, name, errors) for name in NUMBERS})
    data["brand_id"] = _whole(request, "brand_id", errors)
    data["team_id"] = _whole(request, "team_id", errors) if text(request, "team_id") else None
    for name in PASSWORDS:
        typed = request.POST.get(name, "")
        if typed:
            data[name] = typed
        elif mailbox is not None and checkbox(request, f"{name}_clear"):
            data[name] = ""
    if errors:
        raise ValidationError(_("The mailbox is not valid."), fields=errors)
    return data


def _save(request: HttpRequest, mailbox: Mailbox | None, form: list[FormField]) -> tuple[Mailbox | None, dict]:
    try:
        saved = mailboxes.mailbox_save(actor=actor(request), mailbox=mailbox, **_submitted(request, mailbox))
    except FrontdeskError as exc:
        return None, {**failed(form, exc, request.POST), "status": exc.status}
    return saved, {}


# --- pages --------------------------------------------------------------------------------

@admin_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    qs = mailboxes.mailbox_list(viewer=viewer(request)).select_related("imap_cursor")
    page = keyset_page_or_first(qs, sort="name", cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    return settings_render(request, "mailboxes.html", "mailboxes", {"page": page})


@admin_required
def mailbox_new(request: HttpRequest) -> HttpResponse:
    groups = _groups(request, None)
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        saved, ctx = _save(request, None, _flat(groups))
        if saved is not None:
            messages.success(request, _("Mailbox %(address)s created.") % {"address": saved.address})
            return redirect("workspace:settings_mailbox", mailbox_id=saved.pk)
    status = ctx.pop("status", 200)
    return settings_render(request, "mailbox_edit.html", "mailboxes", {
        "heading": _("New mailbox"), "groups": groups, "submit": _("Create mailbox"), **ctx,
    }, status)


@admin_required
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = mailboxes.mailbox_get(viewer=viewer(request), mailbox_id=mailbox_id)
    groups = _groups(request, mailbox)
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        saved, ctx = _save(request, mailbox, _flat(groups))
        if saved is not None:
            messages.success(request, _("Mailbox saved."))
            return redirect("workspace:settings_mailbox", mailbox_id=saved.pk)
    status = ctx.pop("status", 200)
    webhook = request.build_absolute_uri(reverse("api-1.0.0:post_inbound", args=[mailbox.pk]))
    return settings_render(request, "mailbox_edit.html", "mailboxes", {
        "heading": mailbox.name, "mailbox": mailbox, "groups": groups, "submit": _("Save mailbox"),
        "webhook_url": webhook, **ctx,
    }, status)


@require_POST
@admin_required
def mailbox_rotate(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    me = viewer(request)
    mailbox = mailboxes.mailbox_get(viewer=me, mailbox_id=mailbox_id)
    mailboxes.mailbox_rotate_secret(actor=actor(request), mailbox=mailbox)
    messages.success(request, _("A new inbound secret was made; the old one no longer works."))
    return redirect("workspace:settings_mailbox", mailbox_id=mailbox.pk)


# --- the quarantine -----------------------------------------------------------------------

@admin_required
def quarantine(request: HttpRequest) -> HttpResponse:
    ignored = request.GET.get("status") == InboundStatus.IGNORED
    qs = inbound.quarantine_list(viewer(request), InboundStatus.IGNORED if ignored else InboundStatus.QUARANTINED)
    page = keyset_page_or_first(qs, sort="-received_at", cursor=request.GET.get("cursor") or None,
                       limit=QUARANTINE_PAGE_SIZE)
    return settings_render(request, "quarantine.html", "quarantine", {"page": page, "ignored": ignored})


@require_POST
@admin_required
def quarantine_reprocess(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """Run one message through the pipeline again and say what became of it."""
    me = viewer(request)
    inbound.quarantine_list(me)  # administrators only, as the API
    accept = request.POST.get("accept") == "1"  # "Process anyway" on an ignored message
    row = inbound.reprocess(inbound.inbound_get(me, inbound_id).pk, accept_ignored=accept)
    if row.status == InboundStatus.PROCESSED and row.ticket_id:
        url = reverse("workspace:ticket", args=[row.ticket_id])
        messages.success(request, format_html(_("Message {} was processed: ticket <a href=\"{}\">#{}</a>."),
                                              row.pk, url, row.ticket_id))
    elif row.status == InboundStatus.QUARANTINED:
        messages.error(request, _("Message %(id)s is still quarantined: %(reason)s")
                       % {"id": row.pk, "reason": row.reason})
    else:
        messages.success(request, _("Message %(id)s is now %(status)s. %(reason)s")
                         % {"id": row.pk, "status": row.get_status_display().lower(), "reason": row.reason})
    back = reverse("workspace:settings_quarantine")
    return redirect(back + ("?status=ignored" if accept else ""))
