"""Ticket factories, now shared from frontdesk.testing.factories (import them from there); kept for
the modules that still import them from here."""

from __future__ import annotations

from frontdesk.testing.factories import contact_of, make_ticket, team_with

__all__ = ["contact_of", "make_ticket", "team_with"]
