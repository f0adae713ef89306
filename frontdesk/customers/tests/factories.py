"""Helpers for CRM tests. Tickets are reached through the app registry, never imported:
the customers package (tests included) must not depend on the tickets app."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from frontdesk.brands.models import Brand
from frontdesk.core.actor import Actor
from frontdesk.core.events.models import OutboxEvent
from frontdesk.customers.models import Contact

SYSTEM = Actor.system("test")


def events(name: str) -> list[dict[str, Any]]:
    return [e.payload for e in OutboxEvent.objects.filter(name=name).order_by("pk")]


def brand() -> Brand:
    return Brand.objects.get_or_create(slug="main", defaults={"name": "Main"})[0]


def ticket(requester: Contact, *, ccs: tuple[Contact, ...] = (), subject: str = "Help") -> Any:
    Ticket = apps.get_model("tickets", "Ticket")
    t = Ticket.objects.create(brand=brand(), subject=subject, requester=requester)
    if ccs:
        t.ccs.add(*ccs)
    return t


def message(ticket: Any, author: Contact, body: str = "hello") -> Any:
    Message = apps.get_model("tickets", "Message")
    return Message.objects.create(ticket=ticket, author_contact=author, body=body)
