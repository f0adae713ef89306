"""The ticket page and what it posts."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import views_ticket
from frontdesk.workspace import views_ticket_actions as actions

urlpatterns = [
    path("tickets/<int:ticket_id>/", views_ticket.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/reply/", actions.ticket_reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/update/", actions.ticket_update, name="ticket_update"),
    path("tickets/<int:ticket_id>/merge/", actions.ticket_merge, name="ticket_merge"),
    path("tickets/<int:ticket_id>/split/", actions.ticket_split, name="ticket_split"),
    path("tickets/<int:ticket_id>/link/", actions.ticket_link, name="ticket_link"),
    path("tickets/<int:ticket_id>/solve-incidents/", actions.ticket_solve_incidents, name="ticket_solve_incidents"),
]
