"""Who may do what. Customers asking for staff-only things get NotFound (404), never
PermissionDenied: the API does not reveal what exists to people outside the team."""

from __future__ import annotations

from frontdesk.accounts.models import Role, User
from frontdesk.core.errors import NotFound, PermissionDenied

# What a person may change on their own profile (PATCH /me).
SELF_EDITABLE_FIELDS = frozenset({"name", "time_zone", "language", "signature", "notification_settings"})


def is_admin(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


def is_supervisor_or_admin(user: User) -> bool:
    return user.is_active and user.role in (Role.ADMIN, Role.SUPERVISOR)


def is_staff_member(user: User) -> bool:
    return bool(user.is_active and user.is_agent)


def require_staff(user: User) -> None:
    """Staff only; anyone else is told the thing does not exist."""
    if not is_staff_member(user):
        raise NotFound("Not found.")


def require_admin(user: User) -> None:
    require_staff(user)
    if not is_admin(user):
        raise PermissionDenied("Only administrators may do this.")


def require_agent(user: User) -> None:
    require_staff(user)


def require_full_agent(user: User) -> None:
    require_staff(user)
    if not user.is_full_agent:
        raise PermissionDenied("Light agents may not do this.")


def can_manage_tokens_of(actor: User, owner: User) -> bool:
    return actor.pk == owner.pk or is_admin(actor)


def require_may_edit_user(by: User, user: User, fields: set[str]) -> None:
    """Admins edit anyone; everyone else edits only their own profile fields."""
    if is_admin(by):
        return
    if by.pk == user.pk and by.is_active and fields <= SELF_EDITABLE_FIELDS:
        return
    require_staff(by)
    raise PermissionDenied("Only administrators may change other people or roles.")
