"""A named registry that apps fill from their ``AppConfig.ready``: channels, ticket-page panels,
ticket filters and sorts. One name is one entry; registering the same entry again is harmless,
another one under a taken name is refused at start-up (unless the taken one may be replaced)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str, *, replaceable: Callable[[T], bool] = lambda old: False) -> None:
        self.what = what
        self._replaceable = replaceable
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        known = self._items.get(name)
        if known is not None and known != item and not self._replaceable(known):
            raise ImproperlyConfigured(f"{self.what} {name!r} is registered twice")
        self._items[name] = item
        return item

    def remove(self, name: str) -> None:
        """Take an entry out (tests that register their own)."""
        self._items.pop(name, None)

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def items(self) -> dict[str, T]:
        """The entries by name, in the order they were registered."""
        return dict(self._items)
