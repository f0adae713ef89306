"""Global search: the results page and the suggestions under the top-bar box.

A query that is a ticket number (``519`` or ``#519``) opens that ticket when the agent may see
it; otherwise the page says there is no such ticket and searches as usual. Ticket results come
in pages of RESULTS_LIMIT with their total; pages reach as far as the index's best
``MAX_CANDIDATES`` matches (the page says so when there are more).
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from frontdesk.core.errors import NotFound, ValidationError
from frontdesk.core.ids import MAX_ID
from frontdesk.tickets.models import StatusCategory
from frontdesk.tickets.search import KINDS, MAX_CANDIDATES, search, search_ticket_page
from frontdesk.tickets.selectors import status_list, ticket_get
from frontdesk.workspace.access import agent_required, viewer
from frontdesk.workspace.views_ticket import ticket_url

RESULTS_LIMIT = 50
SUGGEST_LIMIT = 5
MAX_QUERY = 200
MAX_PAGE = MAX_CANDIDATES // RESULTS_LIMIT
_NUMBER_RE = re.compile(r"#?\s*([0-9]{1,19})")


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY].strip()


def ticket_number_in(q: str) -> int | None:
    """519 for ``519`` or ``#519`` (a query that is only a ticket number), else None."""
    match = _NUMBER_RE.fullmatch(q.strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if 1 <= number <= MAX_ID else None


def _visible_ticket(request: HttpRequest, number: int) -> Any:
    try:
        return ticket_get(viewer=viewer(request), ticket_id=number)
    except (NotFound, ValidationError):
        return None


def _label_of(request: HttpRequest) -> Any:
    labels = {s.key: s.label for s in status_list(viewer=viewer(request), include_inactive=True)}
    return lambda key: labels.get(key) or key.replace("_", " ").capitalize()  # never a raw key like on_hold


def _status_labels(request: HttpRequest, hits: list[dict[str, Any]]) -> None:
    if not hits:
        return
    label = _label_of(request)
    for hit in hits:
        hit["status_label"] = label(hit["status"])


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    page = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    return max(1, min(page, MAX_PAGE))


@require_GET
@agent_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Every kind, or one (``kind``); tickets can be narrowed to a status category and paged."""
    q = _query(request)
    kind = request.GET.get("kind", "")
    kinds = (kind,) if kind in KINDS else KINDS
    number = ticket_number_in(q)
    missing_number = None
    if number is not None and "tickets" in kinds:
        if _visible_ticket(request, number) is not None:
            return HttpResponseRedirect(ticket_url(number))
        missing_number = number
    category = request.GET.get("status_category", "")
    filters = {"status_category": [category]} if category in StatusCategory.values else None
    others = tuple(k for k in kinds if k != "tickets")
    results = search(viewer=viewer(request), q=q, kinds=others, limit=RESULTS_LIMIT) if others else {}
    page = _page(request)
    tickets = None
    if "tickets" in kinds:
        tickets = search_ticket_page(viewer=viewer(request), q=q, offset=(page - 1) * RESULTS_LIMIT,
                                     limit=RESULTS_LIMIT, filters=filters)
        if page > 1 and not tickets.hits and tickets.total:  # past the last page: show the last one
            page = (tickets.total - 1) // RESULTS_LIMIT + 1
            tickets = search_ticket_page(viewer=viewer(request), q=q, offset=(page - 1) * RESULTS_LIMIT,
                                         limit=RESULTS_LIMIT, filters=filters)
        results = {"tickets": [asdict(h) for h in tickets.hits], **results}
    _status_labels(request, results.get("tickets", []))
    ticket_total = tickets.total if tickets else 0
    pages = (ticket_total - 1) // RESULTS_LIMIT + 1 if ticket_total else 1
    context = {
        "search_q": q,
        "kind": kind if kind in KINDS else "",
        "status_category": category if filters else "",
        "categories": StatusCategory.choices,
        "results": results,
        "total": ticket_total + sum(len(v) for k, v in results.items() if k != "tickets"),
        "ticket_total": ticket_total,
        "ticket_capped": bool(tickets and tickets.capped),
        "max_candidates": MAX_CANDIDATES,
        "page": page,
        "pages": pages,
        "first_shown": (page - 1) * RESULTS_LIMIT + 1,
        "last_shown": (page - 1) * RESULTS_LIMIT + len(results.get("tickets", [])),
        "prev_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "others_limit": RESULTS_LIMIT,
        "missing_number": missing_number,
        "searched": bool(q),
    }
    return render(request, "workspace/search/results.html", context)


def _number_hit(request: HttpRequest, number: int) -> dict[str, Any] | None:
    ticket = _visible_ticket(request, number)
    if ticket is None:
        return None
    return {"id": ticket.pk, "subject": ticket.subject, "status": ticket.status,
            "status_category": ticket.status_category, "requester_name": ticket.requester.name or "",
            "requester_email": ticket.requester.primary_email or "", "is_number": True}


@require_GET
@agent_required
def search_suggest(request: HttpRequest) -> HttpResponse:
    """The listbox under the search box: the ticket a number names, then the first few of each kind."""
    q = _query(request)
    if not q:
        return HttpResponse("")
    results = search(viewer=viewer(request), q=q, limit=SUGGEST_LIMIT)
    number = ticket_number_in(q)
    if number is not None:
        hit = _number_hit(request, number)
        if hit is not None:
            results["tickets"] = [hit] + [h for h in results["tickets"] if h["id"] != number][: SUGGEST_LIMIT - 1]
    _status_labels(request, results.get("tickets", []))
    total = sum(len(v) for v in results.values())
    return render(request, "workspace/search/_suggest.html", {
        "q": q, "results": results, "total": total,
        "announce": ngettext("%(n)s suggestion: the up and down arrow keys choose, Enter opens it.",
                             "%(n)s suggestions: the up and down arrow keys choose, Enter opens one.", total)
        % {"n": total} if total else _("Nothing found"),
    })
