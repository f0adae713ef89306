"""The composer's endpoints on the ticket page: draft autosave, @mention suggestions and checks."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import views_composer as composer

urlpatterns = [
    path("tickets/<int:ticket_id>/draft/", composer.draft_autosave, name="ticket_draft"),
    path("tickets/<int:ticket_id>/draft/discard/", composer.draft_discard_view, name="ticket_draft_discard"),
    path("tickets/<int:ticket_id>/mentions/", composer.mention_suggest, name="ticket_mentions"),
    path("tickets/<int:ticket_id>/mentions/check/", composer.mention_check, name="ticket_mentions_check"),
]
