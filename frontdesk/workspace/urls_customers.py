"""Placeholder routes until this area's pages are written (replace this whole file)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from frontdesk.workspace.access import agent_required


@agent_required
def _todo(request, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("Not built yet.", status=501)


urlpatterns = [
    path("customers/", _todo, name="customers"),
    path("customers/<int:contact_id>/", _todo, name="customer"),
    path("organisations/", _todo, name="organisations"),
    path("organisations/<int:organisation_id>/", _todo, name="organisation"),
]
