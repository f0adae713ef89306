"""The event being handled right now, so events recorded by a handler carry
their cause and depth. This is dispatch context, never a "current user":
services always take an explicit actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from frontdesk.core.events.base import EventMeta

_current: ContextVar[EventMeta | None] = ContextVar("frontdesk_current_event", default=None)


def current_cause() -> EventMeta | None:
    return _current.get()


@contextmanager
def handling(meta: EventMeta) -> Iterator[None]:
    token = _current.set(meta)
    try:
        yield
    finally:
        _current.reset(token)
