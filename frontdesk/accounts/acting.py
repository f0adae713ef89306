"""The person behind an actor, for the permission checks of services."""

from __future__ import annotations

from frontdesk.accounts.models import User
from frontdesk.core.actor import Actor
from frontdesk.core.errors import PermissionDenied


def acting_user(actor: Actor) -> User | None:
    """The person acting, whose permissions apply; ``None`` for the system and rules, which act on
    trust. An actor rebuilt from a stored event carries no user, so it too acts as the system."""
    user = actor.user
    if user is None:
        return None
    if not isinstance(user, User):
        raise TypeError(f"an actor's user must be a User, not {type(user).__name__}")
    return user


def acting_person(actor: Actor) -> User:
    """The person acting, for what only a signed-in person may do (settings, own drafts)."""
    user = acting_user(actor)
    if user is None:
        raise PermissionDenied("Only a signed-in person may do this.")
    return user
