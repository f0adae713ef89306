"""Small shared caches for configuration read on every write (the default brand, field definitions).

Values live in the Django cache (Redis at scale, so every process sees an invalidation at once;
local memory embedded, where there is one process). Only reads made outside a transaction are
cached, so nothing uncommitted is ever shared. Writers call ``forget`` inside their transaction;
the key is dropped at once and again after commit, so a value another process cached meanwhile
(the old, still committed one) does not outlive the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
_PREFIX = "frontdesk:config:"
_MISSING = object()


def remembered(key: str, compute: Callable[[], T], timeout: int = 300, *, in_transaction: bool = False) -> T:
    """The cached value, computed and shared when missing. ``in_transaction``: the caller vouches
    that its transaction never writes what ``compute`` reads, so a value read inside it is
    committed data and may be shared too."""
    value = cache.get(_PREFIX + key, _MISSING)
    if value is _MISSING:
        value = compute()
        if in_transaction or not transaction.get_connection().in_atomic_block:
            cache.set(_PREFIX + key, value, timeout)
    return value  # type: ignore[return-value]


def forget(key: str) -> None:
    cache.delete(_PREFIX + key)
    transaction.on_commit(lambda: cache.delete(_PREFIX + key))
