"""The composer's small JSON endpoints: autosaving the draft, @mention suggestions, and which
@handles of a note match nobody. Each checks the ticket with the viewer first."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontdesk.accounts.models import STAFF_ROLES, User
from frontdesk.accounts.selectors import user_list
from frontdesk.core.errors import FrontdeskError
from frontdesk.core.html import sanitize_html
from frontdesk.tickets import policies, selectors
from frontdesk.tickets.services.messages import unknown_mentions
from frontdesk.workspace.access import agent_required, viewer
from frontdesk.workspace.composer_text import composer_text
from frontdesk.workspace.drafts import DraftConflict, DraftInput, draft_discard, draft_save

MAX_SUGGESTIONS = 8
MAX_QUERY = 100


def _error(exc: FrontdeskError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status)


def _version(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


@agent_required
@require_POST
def draft_autosave(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Save the composer as it stands; 409 with the stored draft when another tab or device saved
    since this page read it (the page then offers to load it or to keep its own)."""
    by = viewer(request)
    try:
        post = request.POST
    except RequestDataTooBig:
        message = _("The draft is too large to save: attach large images as files instead.")
        return JsonResponse({"error": {"code": "too_large", "message": message, "fields": {}}}, status=413)
    ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    data = DraftInput(
        kind=post.get("kind", ""), body=post.get("body_html", ""), to=post.get("to", ""), cc=post.get("cc", ""),
        bcc=post.get("bcc", ""), signature=post.get("signature", "") if "signature_present" in post else None,
        submit_as=post.get("submit_as", ""),
    )
    try:
        draft = draft_save(by=by, ticket=ticket, data=data, version=_version(post.get("version", "")))
    except DraftConflict as exc:
        d = exc.draft
        body = exc.as_dict()
        body["draft"] = {"version": d.version, "kind": d.kind, "body_html": d.body, "to": d.to, "cc": d.cc,
                         "bcc": d.bcc, "signature": d.signature, "submit_as": d.submit_as}
        return JsonResponse(body, status=409)
    except FrontdeskError as exc:
        return _error(exc)
    return JsonResponse({"version": draft.version, "saved_at": draft.updated_at.isoformat()})


@agent_required
@require_POST
def draft_discard_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    by = viewer(request)
    ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    return JsonResponse({"discarded": True, "version": draft_discard(by=by, ticket=ticket)})


def _handles(agents: list[User]) -> dict[int, str]:
    """The handle that mentions each agent alone: the part of the email before the @, or the
    whole email when another active agent's address starts the same way."""
    locals_ = {u.pk: u.email.lower().partition("@")[0] for u in agents}
    if not locals_:
        return {}
    q = Q()
    for local in set(locals_.values()):
        q |= Q(email__istartswith=f"{local}@")
    taken: dict[str, int] = {}
    for email in User.objects.filter(q, is_active=True, role__in=STAFF_ROLES).values_list("email", flat=True):
        local = email.lower().partition("@")[0]
        taken[local] = taken.get(local, 0) + 1
    return {u.pk: locals_[u.pk] if taken.get(locals_[u.pk], 0) <= 1 else u.email.lower() for u in agents}


@agent_required
@require_GET
def mention_suggest(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Active agents who can see the ticket, by the start of their email or any part of their name."""
    by = viewer(request)
    ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    q = request.GET.get("q", "").strip().lstrip("@")[:MAX_QUERY]
    staff = user_list(viewer=by, active=True).filter(role__in=STAFF_ROLES)
    if q:
        staff = staff.filter(Q(email__istartswith=q) | Q(name__icontains=q))
    found = [u for u in staff.order_by("name", "email")[: MAX_SUGGESTIONS * 2] if policies.can_view(u, ticket)]
    found = found[:MAX_SUGGESTIONS]
    handles = _handles(found)
    return JsonResponse({"agents": [
        {"id": u.pk, "name": u.name or u.email, "email": u.email, "handle": handles[u.pk]} for u in found
    ]})


@agent_required
@require_POST
def mention_check(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The @handles of a note (its HTML or its text) that would notify nobody."""
    by = viewer(request)
    try:
        post = request.POST
    except RequestDataTooBig:
        return JsonResponse({"unknown": []})
    ticket = selectors.ticket_get(viewer=by, ticket_id=ticket_id, detail=False)
    html = post.get("body_html", "")
    text = composer_text(sanitize_html(html, remote_images=True)) if html else post.get("body", "")
    return JsonResponse({"unknown": unknown_mentions(ticket, text)})
