"""What the ticket page's composer posts: a public reply or an internal note, with files.

The formatting editor posts HTML (``body_html``), sanitised here before anything else and turned
into the text version (``body``); without JavaScript the plain textarea posts ``body`` alone. A
public email reply carries its To/CC/BCC and the signature the agent kept; a note whose
``@handles`` match nobody is sent only once the agent confirms. After a send the agent's draft
loses its text and keeps the mode, so the composer opens in it again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontdesk.core.errors import Conflict, PayloadTooLarge, ValidationError
from frontdesk.core.html import sanitize_html
from frontdesk.tickets import selectors, services
from frontdesk.tickets.models import MessageKind
from frontdesk.tickets.services.messages import Recipients, split_addresses, unknown_mentions
from frontdesk.workspace.access import actor, agent_required, viewer
from frontdesk.workspace.composer import MAX_FILES
from frontdesk.workspace.composer_text import composer_text
from frontdesk.workspace.drafts import draft_sent
from frontdesk.workspace.views_ticket import render_page
from frontdesk.workspace.views_ticket_actions import back
from frontdesk.workspace.views_ticket_forms import field_errors


def _too_large(request: HttpRequest, ticket_id: int) -> HttpResponse:
    message = _("The message is too large to send. Inline images count: attach large images as files instead.")
    composer = {"message": message, "errors": {"body": _("too large")}}
    return render_page(request, ticket_id, status=413, composer=composer)


@agent_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A public reply or an internal note, with files and an optional "submit as" status."""
    by = viewer(request)
    try:
        post, files = request.POST, request.FILES.getlist("files")
    except RequestDataTooBig:
        return _too_large(request, ticket_id)
    kind = post.get("kind") or MessageKind.NOTE
    body = post.get("body", "")
    body_html = sanitize_html(post.get("body_html", ""), remote_images=True)
    if body_html:
        body = composer_text(body_html)  # the text version says what the HTML says
    set_status = post.get("submit_as") or None
    public = kind == MessageKind.PUBLIC
    with_recipients = public and "recipients" in post
    with_signature = public and "signature_present" in post
    draft: dict[str, Any] = {
        "kind": kind, "body": body, "body_html": str(body_html), "submit_as": set_status or "",
        "to": post.get("to", ""), "cc": post.get("cc", ""), "bcc": post.get("bcc", ""),
    }
    if with_signature:
        draft["signature"] = post.get("signature", "")
    try:
        if len(files) > MAX_FILES:
            raise ValidationError(_("Too many files."), fields={"files": _("at most %(n)s files") % {"n": MAX_FILES}})
        ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
        if kind == MessageKind.NOTE and post.get("confirm_mentions") != "1":
            unknown = unknown_mentions(ticket, body)
            if unknown:
                draft["unknown_mentions"] = unknown
                raise ValidationError(
                    _("Nobody matches %(handles)s: they would not be notified. Check the names, or confirm to "
                      "add the note anyway.") % {"handles": ", ".join(f"@{h}" for h in unknown)},
                    fields={"mentions": _("unknown handles")},
                )
        recipients = None
        if with_recipients:
            recipients = Recipients(
                to=split_addresses(draft["to"]), cc=split_addresses(draft["cc"]), bcc=split_addresses(draft["bcc"])
            )
        # the uploads go to message_add itself: stored and attached in one transaction
        message = services.message_add(
            actor=actor(request),
            ticket=ticket,
            body=body,
            body_html=body_html,
            kind=kind,
            attachments=list(files),
            set_status=set_status,
            recipients=recipients,
            signature=draft["signature"] if with_signature else None,
        )
    except (ValidationError, Conflict, PayloadTooLarge) as exc:
        draft["errors"] = field_errors(exc)
        draft["message"] = exc.message
        if files:
            draft["files_lost"] = True
        return render_page(request, ticket_id, status=exc.status, composer=draft)
    draft_sent(by=by, ticket=ticket, kind=kind)
    return back(request, ticket_id, f"#message-{message.pk}")
