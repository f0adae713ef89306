"""Who did something: a person, the system, or an automation rule.

Services take this one ``actor`` argument. A person's actor carries the user, whose permissions the
service checks; the system and rules carry none and act on trust (channels, imports, handlers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ActorKind = Literal["user", "system", "rule"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user_id: int | None = None
    rule_id: int | None = None
    label: str = ""
    # the person themself, whose permissions the services check; not stored with events
    user: Any = field(default=None, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, user: Any) -> Actor:
        return cls(kind="user", user_id=user.pk, label=getattr(user, "email", "") or str(user.pk), user=user)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind="system", label=label)

    @classmethod
    def rule(cls, rule_id: int, label: str = "") -> Actor:
        return cls(kind="rule", rule_id=rule_id, label=label or f"rule {rule_id}")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "user_id": self.user_id, "rule_id": self.rule_id, "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(
            kind=data.get("kind", "system"),
            user_id=data.get("user_id"),
            rule_id=data.get("rule_id"),
            label=data.get("label", ""),
        )


SYSTEM = Actor.system()
