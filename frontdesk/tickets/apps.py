from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "frontdesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"
