from __future__ import annotations

from typing import Any, ClassVar

from frontdesk.core.events import Event


class UserCreated(Event):
    name: ClassVar[str] = "user.created"
    user_id: int
    role: str


class UserUpdated(Event):
    name: ClassVar[str] = "user.updated"
    user_id: int
    changes: dict[str, Any]


class PasswordChanged(Event):
    name: ClassVar[str] = "user.password_changed"
    user_id: int


class ApiTokenCreated(Event):
    name: ClassVar[str] = "api_token.created"
    token_id: int
    user_id: int


class ApiTokenRevoked(Event):
    name: ClassVar[str] = "api_token.revoked"
    token_id: int
    user_id: int


class TeamSaved(Event):
    name: ClassVar[str] = "team.saved"
    team_id: int
    changes: dict[str, Any]
