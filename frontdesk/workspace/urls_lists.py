"""Placeholder routes until this area's pages are written (replace this whole file)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from frontdesk.workspace.access import agent_required


@agent_required
def _todo(request, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("Not built yet.", status=501)


urlpatterns = [
    path("views/", _todo, name="views"),
    path("views/<int:view_id>/", _todo, name="view"),
    path("tickets/", _todo, name="tickets"),
    path("search/", _todo, name="search"),
    path("search/suggest/", _todo, name="search_suggest"),
]
