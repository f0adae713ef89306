"""What the ticket page's composer shows: the mode, the text (a failed send's, else the agent's
draft), the recipients of an emailed reply and the signature under it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from frontdesk.accounts.models import User
from frontdesk.tickets.channel_page import reply_route
from frontdesk.tickets.models import MessageKind, Ticket
from frontdesk.workspace.composer_text import composer_text
from frontdesk.workspace.drafts import draft_get

MAX_FILES = 20
# an inline image pasted or dropped into the editor travels in the form's HTML (capped at
# DATA_UPLOAD_MAX_MEMORY_SIZE with the rest of it): larger ones are attached as files instead
MAX_INLINE_IMAGE_BYTES = 256 * 1024


def text_as_html(text: str) -> str:
    """Plain text (a send without the editor) as editor HTML."""
    return linebreaks(escape(text)) if text.strip() else ""


def composer_state(*, viewer: User, ticket: Ticket, posted: dict[str, Any] | None, can_public: bool) -> dict[str, Any]:
    """The composer's values. ``posted`` is what a failed send carried (kept as typed)."""
    route = reply_route(ticket)  # the channel a public reply leaves through, if any
    email_reply = route is not None and route.recipients
    draft = draft_get(viewer=viewer, ticket=ticket)
    state: dict[str, Any] = {
        "kind": MessageKind.PUBLIC if can_public else MessageKind.NOTE,
        "body_html": "",
        "body": "",
        "submit_as": "",
        "signature": viewer.signature or "",
        "draft_version": draft.version if draft else 0,
        "draft_saved": bool(draft and draft.has_text),
        "email_reply": email_reply,
        "max_file_bytes": settings.MAX_ATTACHMENT_BYTES,
        "max_files": MAX_FILES,
        "max_inline_bytes": MAX_INLINE_IMAGE_BYTES,
    }
    defaults: dict[str, str] = {}
    if route is not None and route.recipients:
        defaults = {"to": ", ".join(route.to), "cc": ", ".join(route.cc), "bcc": ""}
        state.update(defaults)
    state["default_signature"] = state["signature"]
    if posted is not None:
        state.update(posted)
    elif draft is not None:
        state["kind"] = draft.kind
        if draft.has_text or draft.signature is not None:
            state.update(body_html=draft.body, body=composer_text(draft.body), submit_as=draft.submit_as)
            if email_reply:
                state.update(to=draft.to, cc=draft.cc, bcc=draft.bcc)
            if draft.signature is not None:
                state["signature"] = draft.signature
    if not state["body_html"] and state["body"]:
        state["body_html"] = text_as_html(state["body"])
    if not can_public:
        state["kind"] = MessageKind.NOTE
    if email_reply:
        errors = state.get("errors") or {}
        state["recipient_fields"] = [
            {"name": name, "label": label, "value": state.get(name, ""), "error": errors.get(name, ""),
             "default": defaults.get(name, ""),
             "placeholder": _("Hidden from the other recipients; agents see it") if name == "bcc" else ""}
            for name, label in (("to", _("To")), ("cc", _("CC")), ("bcc", _("BCC")))
        ]
    return state
