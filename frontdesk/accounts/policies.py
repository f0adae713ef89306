from __future__ import annotations

from frontdesk.accounts.models import Role, User
from frontdesk.core.errors import PermissionDenied


def is_admin(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


def is_supervisor_or_admin(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.SUPERVISOR)


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only administrators may do this.")


def require_agent(user: User) -> None:
    if not (user.is_active and user.is_agent):
        raise PermissionDenied("Only agents may do this.")


def require_full_agent(user: User) -> None:
    if not (user.is_active and user.is_full_agent):
        raise PermissionDenied("Light agents and customers may not do this.")


def can_manage_tokens_of(actor: User, owner: User) -> bool:
    return actor.pk == owner.pk or is_admin(actor)
