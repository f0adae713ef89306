"""Handler registry: ``@handler(EventClass, in_transaction=...)`` in each app's handlers.py."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from frontdesk.core.discovery import app_modules
from frontdesk.core.events.base import Event, EventMeta

HandlerFn = Callable[[Any, EventMeta], None]
F = TypeVar("F", bound=HandlerFn)


@dataclass(frozen=True)
class Registration:
    event_name: str
    key: str  # "module.function": the stable name stored in handler run records
    fn: HandlerFn
    in_transaction: bool


_registry: dict[str, list[Registration]] = {}
_discovered = False


def handler(*event_classes: type[Event], in_transaction: bool = False) -> Callable[[F], F]:
    """Register ``fn(event, meta)`` for the given events.

    ``in_transaction=True`` runs it inside the writer's transaction (for what must stay
    consistent with the write: audit trail, counters, search index). Otherwise it runs
    after commit, once per event, with retries.
    """

    def decorate(fn: F) -> F:
        key = f"{fn.__module__}.{fn.__qualname__}"
        for cls in event_classes:
            if not cls.name:
                raise TypeError(f"{cls.__name__} has no event name")
            regs = _registry.setdefault(cls.name, [])
            if not any(r.key == key for r in regs):
                regs.append(Registration(cls.name, key, fn, in_transaction))
        return fn

    return decorate


def autodiscover() -> None:
    """Import every installed app's ``handlers.py`` and ``*_handlers.py`` modules once."""
    global _discovered
    if _discovered:
        return
    for module, _path in app_modules("handlers"):
        importlib.import_module(module)
    _discovered = True


def handlers_for(event_name: str, *, in_transaction: bool) -> list[Registration]:
    return [r for r in _registry.get(event_name, []) if r.in_transaction is in_transaction]


def table() -> list[Registration]:
    return [r for regs in _registry.values() for r in regs]
