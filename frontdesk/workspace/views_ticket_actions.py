"""What the ticket page posts: replies and notes, property changes, merge, split, link, solve incidents.

Each view parses its form, calls one ticket service, then redirects back (POST/redirect/GET)
or, for HTMX property edits, answers with the refreshed fragments. Domain errors are shown next
to the form they came from, never as a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontdesk.core.errors import Conflict, FrontdeskError, PayloadTooLarge, ValidationError
from frontdesk.fields.services import definitions
from frontdesk.tickets import selectors, services
from frontdesk.tickets.models import MessageKind
from frontdesk.workspace.access import actor, agent_required, is_htmx, viewer
from frontdesk.workspace.views_ticket import render_page, ticket_context, ticket_url, view_param
from frontdesk.workspace.views_ticket_forms import field_errors, property_changes, ticket_number

MAX_FILES = 20


def _back(request: HttpRequest, ticket_id: int, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(ticket_url(ticket_id, view_param(request)) + anchor)


def _flash_error(request: HttpRequest, exc: FrontdeskError) -> None:
    detail = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
    messages.error(request, f"{exc.message} {detail}".strip())


@agent_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A public reply or an internal note, with files and an optional "submit as" status."""
    by = viewer(request)
    kind = request.POST.get("kind") or MessageKind.NOTE
    body = request.POST.get("body", "")
    set_status = request.POST.get("submit_as") or None
    files = request.FILES.getlist("files")
    draft: dict[str, Any] = {"kind": kind, "body": body, "submit_as": set_status or ""}
    try:
        if len(files) > MAX_FILES:
            raise ValidationError(_("Too many files."), fields={"files": _("at most %(n)s files") % {"n": MAX_FILES}})
        ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
        # the uploads go to message_add itself: stored and attached in one transaction
        message = services.message_add(
            actor=actor(request), by=by, ticket=ticket, body=body, kind=kind,
            attachments=list(files), set_status=set_status,
        )
    except (ValidationError, Conflict, PayloadTooLarge) as exc:
        draft["errors"] = field_errors(exc)
        draft["message"] = exc.message
        return render_page(request, ticket_id, status=exc.status, composer=draft)
    return _back(request, ticket_id, f"#message-{message.pk}")


@agent_required
@require_POST
def ticket_update(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Change properties; HTMX gets the sidebar back (and the header and timeline out of band)."""
    by = viewer(request)
    try:
        changes = property_changes(request.POST, definitions("ticket"))
        ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
        services.ticket_update(actor=actor(request), by=by, ticket=ticket, **changes)
    except (ValidationError, Conflict) as exc:
        errors = field_errors(exc)
        if is_htmx(request):
            context = ticket_context(request, ticket_id, props_errors=errors, props_posted=request.POST)
            context["props_message"] = exc.message
            return render(request, "workspace/ticket/_props.html", context)
        return render_page(request, ticket_id, status=exc.status, props_errors=errors,
                           props_posted=request.POST)
    if is_htmx(request):
        context = ticket_context(request, ticket_id)
        context["props_saved"] = True
        return render(request, "workspace/ticket/_update_response.html", context)
    messages.success(request, _("Ticket updated."))
    return _back(request, ticket_id)


def _who(contact: Any) -> str:
    return f"{contact.name} <{contact.primary_email}>" if contact.primary_email else str(contact.name)


@agent_required
@require_http_methods(["GET", "POST"])
def ticket_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """GET: confirm (shows the target's subject and, when the requesters differ, a warning and the
    choice of requester and CCs); POST: merge this ticket into the target."""
    by = viewer(request)
    source = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    data = request.POST if request.method == "POST" else request.GET
    try:
        target_id = ticket_number(data.get("target"))
        target = selectors.ticket_get(viewer=by, ticket_id=target_id, detail=False)
    except FrontdeskError as exc:
        _flash_error(request, exc)
        return _back(request, ticket_id, "#actions")

    def confirm(error: FrontdeskError | None = None) -> HttpResponse:
        return render(request, "workspace/ticket/merge_confirm.html", {
            "nav": "tickets", "source": source, "target": target, "view_id": view_param(request),
            "requesters_differ": source.requester_id != target.requester_id,
            "source_who": _who(source.requester), "target_who": _who(target.requester),
            "chosen": {"requester": data.get("requester", ""), "ccs": data.get("ccs") or "kept",
                       "other_requester_as_cc": data.get("other_requester_as_cc") == "1"},
            "error": error,
        }, status=error.status if error else 200)

    if request.method == "GET":
        return confirm()
    try:
        merged = services.tickets_merge(
            actor=actor(request), by=by, source=source, target=target,
            requester=data.get("requester") or None, ccs=data.get("ccs") or None,
            other_requester_as_cc=data.get("other_requester_as_cc") == "1",
        )
    except (services.RequestersDiffer, ValidationError) as exc:
        return confirm(exc)  # the choice is missing or wrong: ask again, on the same page
    except FrontdeskError as exc:
        _flash_error(request, exc)
        return _back(request, ticket_id, "#actions")
    messages.success(request, _("Ticket #%(a)s was merged into this ticket.") % {"a": source.pk})
    return _back(request, merged.pk)


@agent_required
@require_POST
def ticket_split(request: HttpRequest, ticket_id: int) -> HttpResponse:
    by = viewer(request)
    try:
        ids = [ticket_number(v, "message_ids") for v in request.POST.getlist("message_ids")]
        if not ids:
            raise ValidationError(_("Tick the messages to split off first."), fields={"message_ids": _("required")})
        new = services.ticket_split(actor=actor(request), by=by, ticket=ticket_id, message_ids=ids)
    except FrontdeskError as exc:
        _flash_error(request, exc)
        return _back(request, ticket_id, "#actions")
    messages.success(request, _("The messages were split off from #%(a)s into this new ticket.") % {"a": ticket_id})
    return _back(request, new.pk)


@agent_required
@require_POST
def ticket_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    by = viewer(request)
    try:
        source = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
        target = selectors.ticket_get(viewer=by, ticket_id=ticket_number(request.POST.get("target")), detail=False)
        services.ticket_link(actor=actor(request), by=by, source=source, target=target,
                             kind=request.POST.get("kind", ""))
    except FrontdeskError as exc:
        _flash_error(request, exc)
        return _back(request, ticket_id, "#actions")
    messages.success(request, _("Linked to #%(b)s.") % {"b": target.pk})
    return _back(request, ticket_id)


@agent_required
@require_POST
def ticket_solve_incidents(request: HttpRequest, ticket_id: int) -> HttpResponse:
    by = viewer(request)
    try:
        problem = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
        result = services.problem_solve(actor=actor(request), by=by, problem=problem,
                                        body=request.POST.get("body", ""))
    except FrontdeskError as exc:
        _flash_error(request, exc)
        return _back(request, ticket_id, "#actions")
    messages.success(request, _("The problem and %(n)s incidents were solved.")
                     % {"n": len(result["solved_incident_ids"])})
    return _back(request, ticket_id)
