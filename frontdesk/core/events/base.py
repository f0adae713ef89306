from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from frontdesk.core.actor import Actor

_catalogue: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Base of every typed event. Subclasses set ``name`` and their payload fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.name:
            if cls.name in _catalogue and _catalogue[cls.name] is not cls:
                raise TypeError(f"event name {cls.name!r} is declared twice")
            _catalogue[cls.name] = cls


def event_class(name: str) -> type[Event]:
    try:
        return _catalogue[name]
    except KeyError:
        raise LookupError(f"unknown event {name!r}") from None


def catalogue() -> dict[str, type[Event]]:
    return dict(_catalogue)


@dataclass(frozen=True)
class EventMeta:
    """What a handler knows about the event besides its payload."""

    id: int
    name: str
    actor: Actor
    causation_id: int | None
    depth: int
    created_at: datetime
    # live objects from the writer, for in-transaction handlers only (never stored)
    hints: dict[str, Any] = field(default_factory=dict)
