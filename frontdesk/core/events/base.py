from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.core.actor import Actor

_catalogue: dict[str, type[Event]] = {}

# One changed field as stored in ``changes`` payloads: ``[old, new]`` (a JSON array of two).
Change = Annotated[list[Any], Field(min_length=2, max_length=2, description="[old, new]")]
# ``changes`` payloads that map field name -> [old, new]
Changes = dict[str, Change]


class Event(BaseModel):
    """Base of every typed event. Subclasses set ``name`` and their payload fields, and say in
    their docstring when the event is recorded and by whom.

    The payload is a contract read by handlers, automation rules, webhooks and analytics: a
    change that is not backwards compatible (a field removed, renamed or retyped) bumps
    ``version``. Adding an optional field does not. ``frontdesk events --catalogue`` documents
    every event (docs/events.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = ""
    version: ClassVar[int] = 1  # the payload schema version (see the docstring)

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
    """Every event class imported so far, by name (see ``discover_events`` for all of them)."""
    return dict(_catalogue)


def discover_events() -> dict[str, type[Event]]:
    """Import every app's ``events.py`` (and ``*_events.py``) and return the catalogue of the
    product's events: those declared by tests (in a ``tests`` package) are left out.

    Events declared elsewhere (beside a service) are found once their handlers are imported."""
    import importlib

    from frontdesk.core.discovery import app_modules

    for module, _path in app_modules("events"):
        importlib.import_module(module)
    return {name: cls for name, cls in _catalogue.items() if ".tests." not in f".{cls.__module__}."}


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
