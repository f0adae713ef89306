"""Events of users, API tokens and teams. Recorded by accounts.services."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from frontdesk.core.events import Event


class UserCreated(Event):
    """A user was created (``user_create``: by an admin, ``createadmin``, or the demo data)."""

    name: ClassVar[str] = "user.created"
    user_id: int
    role: str


class UserUpdated(Event):
    """A user's profile or an admin changed a user (``user_update``)."""

    name: ClassVar[str] = "user.updated"
    user_id: int
    changes: dict[str, Any] = Field(description="field -> its new value (only the fields that changed)")


class PasswordChanged(Event):
    """A user's password was changed (``password_change``); the password itself is never recorded."""

    name: ClassVar[str] = "user.password_changed"
    user_id: int


class ApiTokenCreated(Event):
    """A user created an API token (``token_create``); the secret is never recorded."""

    name: ClassVar[str] = "api_token.created"
    token_id: int
    user_id: int


class ApiTokenRevoked(Event):
    """A user or an admin revoked an API token (``token_revoke``)."""

    name: ClassVar[str] = "api_token.revoked"
    token_id: int
    user_id: int


class TeamSaved(Event):
    """An admin created or changed a team (``team_save``)."""

    name: ClassVar[str] = "team.saved"
    team_id: int
    changes: dict[str, Any] = Field(
        description="field -> its new value (name, description, restricted; member_ids as a sorted list)"
    )
