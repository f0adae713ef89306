"""The ticket page and what it posts."""

from __future__ import annotations

from django.urls import path

from frontdesk.workspace import views_ticket, views_ticket_props, views_ticket_reply
from frontdesk.workspace import views_ticket_actions as actions
from frontdesk.workspace.views_ticket_new import ticket_new

urlpatterns = [
    path("tickets/new/", ticket_new, name="ticket_new"),
    path("tickets/<int:ticket_id>/", views_ticket.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/customer/", views_ticket.ticket_customer, name="ticket_customer"),
    path("tickets/<int:ticket_id>/reply/", views_ticket_reply.ticket_reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/update/", views_ticket_props.ticket_update, name="ticket_update"),
    path("tickets/<int:ticket_id>/merge/", actions.ticket_merge, name="ticket_merge"),
    path("tickets/<int:ticket_id>/split/", actions.ticket_split, name="ticket_split"),
    path("tickets/<int:ticket_id>/link/", actions.ticket_link, name="ticket_link"),
    path("tickets/<int:ticket_id>/solve-incidents/", actions.ticket_solve_incidents, name="ticket_solve_incidents"),
]
