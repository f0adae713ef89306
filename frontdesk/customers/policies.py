"""Who may see which contacts and organisations. Selectors and services use these."""

from __future__ import annotations

from django.db.models import Q

from frontdesk.accounts.models import User
from frontdesk.customers.models import Contact


def own_contact(viewer: User) -> Contact | None:
    try:
        return viewer.contact  # type: ignore[attr-defined, no-any-return]
    except Contact.DoesNotExist:
        return None


def contact_visibility_q(viewer: User) -> Q | None:
    """A filter on Contact for what ``viewer`` may see; None means everything.

    Staff (any agent role) see every contact; a customer sees only their own."""
    if not viewer.is_active:
        return Q(pk__in=[])
    if viewer.is_agent:
        return None
    contact = own_contact(viewer)
    return Q(pk=contact.pk) if contact else Q(pk__in=[])


def organisation_visibility_q(viewer: User) -> Q | None:
    """A filter on Organisation: staff see all, a customer only the organisation of their contact."""
    if not viewer.is_active:
        return Q(pk__in=[])
    if viewer.is_agent:
        return None
    contact = own_contact(viewer)
    if contact is None or contact.organisation_id is None:
        return Q(pk__in=[])
    return Q(pk=contact.organisation_id)


def sees_internal(viewer: User) -> bool:
    """Internal notes about contacts and organisations are for staff only."""
    return viewer.is_active and viewer.is_agent
