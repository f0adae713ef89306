"""What the ticket page's actions menu posts: merge, split, link, solve incidents.

Each view parses its form, calls one ticket service, then redirects back (POST/redirect/GET).
A bad target or a refused action renders the ticket page again (400, or 404 for a ticket the agent
cannot see) with that action's dialog open, the error under the field it is about and what was
typed kept. Merging a ticket into itself is refused before the confirmation page. Replies and
notes are in views_ticket_reply, property changes in views_ticket_props.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontdesk.core.errors import Conflict, FrontdeskError, NotFound, ValidationError
from frontdesk.core.ids import MAX_ID
from frontdesk.tickets import selectors, services
from frontdesk.workspace.access import actor, agent_required, viewer
from frontdesk.workspace.views_ticket import ticket_context, ticket_url, view_param
from frontdesk.workspace.views_ticket_forms import ticket_number

MAX_ECHO = 100  # characters of a bad value shown back in its field


def back(request: HttpRequest, ticket_id: int, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(ticket_url(ticket_id, view_param(request)) + anchor)


def _flash_error(request: HttpRequest, exc: FrontdeskError) -> None:
    detail = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
    messages.error(request, f"{exc.message} {detail}".strip())


def _who(contact: Any) -> str:
    return f"{contact.name} <{contact.primary_email}>" if contact.primary_email else str(contact.name)


class TargetError(ValidationError):
    """The ticket number typed is not one this action can use."""


def _target(request: HttpRequest, raw: str | None, ticket_id: int, *, itself: str) -> Any:
    """The ticket a typed number names, if the agent may see it; ``itself`` is the refusal when it
    is this ticket. Errors say what is wrong with what was typed, in words for that field."""
    text = (raw or "").strip()
    if not text:
        raise TargetError(_("Type the number of a ticket."))
    try:
        number = ticket_number(text)
    except FrontdeskError:
        raise TargetError(
            _("“%(value)s” is not a ticket number. Type digits only, like 519.") % {"value": text[:MAX_ECHO]}
        ) from None
    if number == ticket_id:
        raise TargetError(itself)
    try:
        return selectors.ticket_get(viewer=viewer(request), ticket_id=number, detail=False)
    except NotFound:
        raise NotFound(_("There is no ticket #%(n)s that you can see.") % {"n": number}) from None


def _status(exc: FrontdeskError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 400


def _field_of(exc: FrontdeskError, fields: tuple[str, ...], default: str) -> str:
    """The form field an error is about: the first of ``fields`` the error names, else ``default``."""
    named = exc.fields or {}
    return next((f for f in fields if f in named), default)


def render_action_error(
    request: HttpRequest, ticket_id: int, action: str, field: str, exc: FrontdeskError, values: dict[str, Any]
) -> HttpResponse:
    """The ticket page with ``action``'s dialog open and ``exc`` under ``field``.

    On a ticket whose page has no actions (closed meanwhile, or the agent may no longer edit
    it) the error goes to the top of the page instead."""
    context = ticket_context(request, ticket_id)
    if not context["can_edit"]:
        _flash_error(request, exc)
        return back(request, ticket_id)
    context["action_state"] = {
        "open": action,
        "errors": {field: exc.message},
        "values": {k: (v[:MAX_ECHO] if k == "target" else v) for k, v in values.items()},
    }
    return render(request, "workspace/ticket/page.html", context, status=_status(exc))


@agent_required
@require_http_methods(["GET", "POST"])
def ticket_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """GET: confirm (shows the target's subject and, when the requesters differ, a warning and the
    choice of requester and CCs); POST: merge this ticket into the target."""
    by = viewer(request)
    source = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    data: QueryDict = request.POST if request.method == "POST" else request.GET
    raw = data.get("target", "")
    try:
        target = _target(request, raw, ticket_id, itself=_("A ticket cannot be merged into itself: type the "
                                                            "number of the other ticket."))
    except FrontdeskError as exc:
        return render_action_error(request, ticket_id, "merge", "target", exc, {"target": raw})

    def confirm(error: FrontdeskError | None = None) -> HttpResponse:
        return render(
            request,
            "workspace/ticket/merge_confirm.html",
            {
                "nav": "tickets",
                "source": source,
                "target": target,
                "view_id": view_param(request),
                "requesters_differ": source.requester_id != target.requester_id,
                "source_who": _who(source.requester),
                "target_who": _who(target.requester),
                "chosen": {
                    "requester": data.get("requester", ""),
                    "ccs": data.get("ccs") or "kept",
                    "other_requester_as_cc": data.get("other_requester_as_cc") == "1",
                },
                "error": error,
            },
            status=error.status if error else 200,
        )

    if request.method == "GET":
        return confirm()
    try:
        merged = services.tickets_merge(
            actor=actor(request),
            source=source,
            target=target,
            requester=data.get("requester") or None,
            ccs=data.get("ccs") or None,
            other_requester_as_cc=data.get("other_requester_as_cc") == "1",
        )
    except FrontdeskError as exc:
        return confirm(exc)  # the choice is missing or wrong, or a ticket changed: say so on the same page
    messages.success(request, _("Ticket #%(a)s was merged into this ticket.") % {"a": source.pk})
    return back(request, merged.pk)


def _message_ids(raw: list[str]) -> list[int]:
    ids = []
    for value in raw:
        if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise ValidationError(_("Some ticked messages are not on this ticket."),
                                  fields={"message_ids": _("unknown message")})
        ids.append(int(value))
    return ids


@agent_required
@require_POST
def ticket_split(request: HttpRequest, ticket_id: int) -> HttpResponse:
    raw = request.POST.getlist("message_ids")
    try:
        ids = _message_ids(raw)
        if not ids:
            raise ValidationError(_("Tick the messages to split off first: each message in the conversation "
                                    "has a box to tick."), fields={"message_ids": _("required")})
        new = services.ticket_split(actor=actor(request), ticket=ticket_id, message_ids=ids)
    except FrontdeskError as exc:
        return render_action_error(request, ticket_id, "split", "message_ids", exc, {"message_ids": raw[:200]})
    messages.success(request, _("The messages were split off from #%(a)s into this new ticket.") % {"a": ticket_id})
    return back(request, new.pk)


@agent_required
@require_POST
def ticket_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    by = viewer(request)
    raw, kind = request.POST.get("target", ""), request.POST.get("kind", "")
    values = {"target": raw, "kind": kind}
    source = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    try:
        target = _target(request, raw, ticket_id, itself=_("A ticket cannot be linked to itself: type the number "
                                                            "of the other ticket."))
        services.ticket_link(actor=actor(request), source=source, target=target, kind=kind)
    except FrontdeskError as exc:
        field = _field_of(exc, ("kind", "source"), "target")
        return render_action_error(request, ticket_id, "link", "kind" if field == "source" else field, exc, values)
    messages.success(request, _("Linked to #%(b)s.") % {"b": target.pk})
    return back(request, ticket_id)


@agent_required
@require_POST
def ticket_solve_incidents(request: HttpRequest, ticket_id: int) -> HttpResponse:
    by = viewer(request)
    body = request.POST.get("body", "")
    problem = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    try:
        if not body.strip():
            raise ValidationError(_("Write the reply the problem and its incidents will get."),
                                  fields={"body": _("required")})
        result = services.problem_solve(actor=actor(request), problem=problem, body=body)
    except FrontdeskError as exc:
        return render_action_error(request, ticket_id, "solve", "body", exc, {"body": body})
    messages.success(
        request, _("The problem and %(n)s incidents were solved.") % {"n": len(result["solved_incident_ids"])}
    )
    return back(request, ticket_id)
