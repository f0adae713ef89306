"""Global search: the results page and the suggestions under the top-bar box."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontdesk.tickets.models import StatusCategory
from frontdesk.tickets.search import KINDS, search
from frontdesk.tickets.selectors import status_list
from frontdesk.workspace.access import agent_required, viewer

RESULTS_LIMIT = 50
SUGGEST_LIMIT = 5
MAX_QUERY = 200


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY].strip()


def _status_labels(request: HttpRequest, hits: list[dict[str, Any]]) -> None:
    if not hits:
        return
    labels = {s.key: s.label for s in status_list(viewer=viewer(request))}
    for hit in hits:
        hit["status_label"] = labels.get(hit["status"], hit["status"])


@require_GET
@agent_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Every kind, or one (``kind``); tickets can be narrowed to a status category."""
    q = _query(request)
    kind = request.GET.get("kind", "")
    kinds = (kind,) if kind in KINDS else KINDS
    category = request.GET.get("status_category", "")
    filters = {"status_category": [category]} if category in StatusCategory.values else None
    results = search(viewer=viewer(request), q=q, kinds=kinds, limit=RESULTS_LIMIT, ticket_filters=filters)
    _status_labels(request, results.get("tickets", []))
    context = {
        "search_q": q,
        "kind": kind if kind in KINDS else "",
        "status_category": category if filters else "",
        "categories": StatusCategory.choices,
        "results": results,
        "total": sum(len(v) for v in results.values()),
        "searched": bool(q),
    }
    return render(request, "workspace/search/results.html", context)


@require_GET
@agent_required
def search_suggest(request: HttpRequest) -> HttpResponse:
    """The dropdown under the search box: the first few of each kind, matches highlighted."""
    q = _query(request)
    if not q:
        return HttpResponse("")
    results = search(viewer=viewer(request), q=q, limit=SUGGEST_LIMIT)
    _status_labels(request, results.get("tickets", []))
    return render(request, "workspace/search/_suggest.html", {"q": q, "results": results,
                                                               "total": sum(len(v) for v in results.values())})
