"""Ticket factories: tickets are made through ticket_create so they are always consistent."""

from __future__ import annotations

from typing import Any

from frontdesk.core.actor import SYSTEM
from frontdesk.customers.models import Contact
from frontdesk.testing import factories as f
from frontdesk.tickets.models import Ticket
from frontdesk.tickets.services import ticket_create


def make_ticket(requester: Contact | None = None, **kwargs: Any) -> Ticket:
    kwargs.setdefault("subject", "Printer on fire")
    kwargs.setdefault("body", "It is on fire.")
    return ticket_create(actor=SYSTEM, requester=requester or f.ContactFactory(), **kwargs)


def contact_of(user: Any) -> Contact:
    return Contact.objects.get(user=user)


def team_with(*members: Any, restricted: bool = False) -> Any:
    team = f.TeamFactory(restricted=restricted)
    team.members.add(*members)
    return team
